CREATE TABLE `rate_limits` (
	`key` text PRIMARY KEY NOT NULL,
	`window_started` integer NOT NULL,
	`hits` integer NOT NULL
);
