CREATE TABLE `article_corrections` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`article_id` integer NOT NULL,
	`kind` text NOT NULL,
	`text` text NOT NULL,
	`text_html` text NOT NULL,
	`at` text NOT NULL,
	`by_key_name` text NOT NULL,
	`removed_at` text,
	`removed_by_key_name` text,
	`removal_reason` text,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `article_corrections_article_idx` ON `article_corrections` (`article_id`,`id`);--> statement-breakpoint
ALTER TABLE `articles` ADD `correction_changes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Every content write moves content_state (as migration 0004 does for the other tables).
CREATE TRIGGER `article_corrections_insert_content_state` AFTER INSERT ON `article_corrections` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;--> statement-breakpoint
CREATE TRIGGER `article_corrections_update_content_state` AFTER UPDATE ON `article_corrections` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;--> statement-breakpoint
CREATE TRIGGER `article_corrections_delete_content_state` AFTER DELETE ON `article_corrections` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
