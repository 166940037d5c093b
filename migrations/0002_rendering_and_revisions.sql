CREATE TABLE `article_revisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`article_id` integer NOT NULL,
	`number` integer NOT NULL,
	`created_at` text NOT NULL,
	`key_name` text NOT NULL,
	`snapshot` text NOT NULL,
	`changes` text NOT NULL,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `article_revisions_number_idx` ON `article_revisions` (`article_id`,`number`);--> statement-breakpoint
ALTER TABLE `articles` ADD `body_html` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `articles` ADD `toc` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `articles` ADD `word_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `articles` ADD `render_version` integer DEFAULT 0 NOT NULL;