CREATE TABLE `media` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`filename` text NOT NULL,
	`mime_type` text NOT NULL,
	`bytes` integer NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`alt` text DEFAULT '' NOT NULL,
	`caption` text,
	`credit` text,
	`focal_x` real DEFAULT 0.5 NOT NULL,
	`focal_y` real DEFAULT 0.5 NOT NULL,
	`placeholder` text NOT NULL,
	`content_hash` text NOT NULL,
	`source_id` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `media_source_idx` ON `media` (`source_id`);--> statement-breakpoint
CREATE INDEX `media_created_idx` ON `media` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `media_originals` (
	`media_id` integer PRIMARY KEY NOT NULL,
	`data` blob NOT NULL,
	FOREIGN KEY (`media_id`) REFERENCES `media`(`id`) ON UPDATE no action ON DELETE cascade
);--> statement-breakpoint
-- Every content write moves content_state (as migration 0004 does for the other tables).
CREATE TRIGGER `media_insert_content_state` AFTER INSERT ON `media` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;--> statement-breakpoint
CREATE TRIGGER `media_update_content_state` AFTER UPDATE ON `media` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;--> statement-breakpoint
CREATE TRIGGER `media_delete_content_state` AFTER DELETE ON `media` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
