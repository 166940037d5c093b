CREATE TABLE `content_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`generation` integer NOT NULL,
	`changed_at` text NOT NULL
);
