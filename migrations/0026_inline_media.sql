CREATE TABLE `article_media` (
	`article_id` integer NOT NULL,
	`media_id` integer NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`article_id`, `media_id`),
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`media_id`) REFERENCES `media`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `article_media_media_idx` ON `article_media` (`media_id`,`article_id`);--> statement-breakpoint
-- Every content write moves content_state (as migration 0004 does for the other tables).
CREATE TRIGGER `article_media_insert_content_state` AFTER INSERT ON `article_media` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;--> statement-breakpoint
CREATE TRIGGER `article_media_update_content_state` AFTER UPDATE ON `article_media` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;--> statement-breakpoint
CREATE TRIGGER `article_media_delete_content_state` AFTER DELETE ON `article_media` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
