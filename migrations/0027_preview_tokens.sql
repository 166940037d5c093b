CREATE TABLE `preview_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`article_id` integer NOT NULL,
	`hash` text NOT NULL,
	`key_id` integer,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `preview_tokens_hash_unique` ON `preview_tokens` (`hash`);--> statement-breakpoint
CREATE INDEX `preview_tokens_article_idx` ON `preview_tokens` (`article_id`);