CREATE TABLE `article_authors` (
	`article_id` integer NOT NULL,
	`author_id` integer NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`article_id`, `author_id`),
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_id`) REFERENCES `authors`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `article_authors_author_idx` ON `article_authors` (`author_id`,`article_id`);--> statement-breakpoint
CREATE TABLE `authors` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`bio` text,
	`bio_html` text DEFAULT '' NOT NULL,
	`job_title` text,
	`website` text,
	`email` text,
	`source_id` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `authors_slug_unique` ON `authors` (`slug`);--> statement-breakpoint
CREATE INDEX `authors_name_lower_idx` ON `authors` (lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX `authors_source_idx` ON `authors` (`source_id`);--> statement-breakpoint
ALTER TABLE `api_keys` ADD `author_id` integer REFERENCES authors(id) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `article_revisions` ADD `key_id` integer;--> statement-breakpoint
ALTER TABLE `article_revisions` ADD `author_id` integer REFERENCES authors(id) ON DELETE set null;--> statement-breakpoint
-- Every content write moves content_state (as migration 0004 does for the other tables).
CREATE TRIGGER `authors_insert_content_state` AFTER INSERT ON `authors` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;--> statement-breakpoint
CREATE TRIGGER `authors_update_content_state` AFTER UPDATE ON `authors` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;--> statement-breakpoint
CREATE TRIGGER `authors_delete_content_state` AFTER DELETE ON `authors` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;--> statement-breakpoint
CREATE TRIGGER `article_authors_insert_content_state` AFTER INSERT ON `article_authors` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;--> statement-breakpoint
CREATE TRIGGER `article_authors_update_content_state` AFTER UPDATE ON `article_authors` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;--> statement-breakpoint
CREATE TRIGGER `article_authors_delete_content_state` AFTER DELETE ON `article_authors` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
