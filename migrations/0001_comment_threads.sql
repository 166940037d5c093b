DROP INDEX `articles_section_published_idx`;--> statement-breakpoint
CREATE INDEX `articles_section_status_published_idx` ON `articles` (`section_id`,`status`,`published_at`,`id`);--> statement-breakpoint
ALTER TABLE `comments` ADD `path` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `comments_article_thread_idx` ON `comments` (`article_id`,`status`,`path`);