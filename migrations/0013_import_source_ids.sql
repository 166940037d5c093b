ALTER TABLE `articles` ADD `source_id` text;--> statement-breakpoint
CREATE UNIQUE INDEX `articles_source_idx` ON `articles` (`source_id`);--> statement-breakpoint
ALTER TABLE `comments` ADD `source_id` text;--> statement-breakpoint
CREATE UNIQUE INDEX `comments_source_idx` ON `comments` (`source_id`);--> statement-breakpoint
ALTER TABLE `sections` ADD `source_id` text;--> statement-breakpoint
CREATE UNIQUE INDEX `sections_source_idx` ON `sections` (`source_id`);--> statement-breakpoint
ALTER TABLE `tags` ADD `source_id` text;--> statement-breakpoint
CREATE UNIQUE INDEX `tags_source_idx` ON `tags` (`source_id`);