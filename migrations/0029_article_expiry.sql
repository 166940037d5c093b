DROP INDEX `articles_status_published_idx`;--> statement-breakpoint
DROP INDEX `articles_section_status_published_idx`;--> statement-breakpoint
DROP INDEX `articles_announcement_idx`;--> statement-breakpoint
ALTER TABLE `articles` ADD `expires_at` text;--> statement-breakpoint
CREATE INDEX `articles_status_expires_idx` ON `articles` (`status`,`expires_at`);--> statement-breakpoint
CREATE INDEX `articles_status_published_idx` ON `articles` (`status`,`published_at`,`id`,`slug`,`section_id`,`created_at`,`updated_at`,`expires_at`);--> statement-breakpoint
CREATE INDEX `articles_section_status_published_idx` ON `articles` (`section_id`,`status`,`published_at`,`id`,`expires_at`);--> statement-breakpoint
CREATE INDEX `articles_announcement_idx` ON `articles` (`announced`,`status`,`published_at`,`id`,`slug`,`expires_at`);