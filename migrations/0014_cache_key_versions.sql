CREATE TABLE `cache_key_versions` (
	`key` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL
);
