-- Bodies and their renderings move out of `articles` into `article_bodies`, so that lists,
-- counts, visibility checks and sitemaps read narrow rows. Full-text search now follows the
-- body through triggers on `article_bodies`.
CREATE TABLE `article_bodies` (
	`article_id` integer PRIMARY KEY NOT NULL,
	`body` text DEFAULT '' NOT NULL,
	`body_html` text DEFAULT '' NOT NULL,
	`toc` text DEFAULT '[]' NOT NULL,
	`body_text` text DEFAULT '' NOT NULL,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `article_bodies` (`article_id`, `body`, `body_html`, `toc`, `body_text`)
  SELECT `id`, `body`, `body_html`, `toc`, `body_text` FROM `articles`;
--> statement-breakpoint
DROP TRIGGER `articles_fts_insert`;
--> statement-breakpoint
DROP TRIGGER `articles_fts_update`;
--> statement-breakpoint
ALTER TABLE `articles` DROP COLUMN `body`;
--> statement-breakpoint
ALTER TABLE `articles` DROP COLUMN `body_html`;
--> statement-breakpoint
ALTER TABLE `articles` DROP COLUMN `toc`;
--> statement-breakpoint
ALTER TABLE `articles` DROP COLUMN `body_text`;
--> statement-breakpoint
CREATE TRIGGER `articles_fts_insert` AFTER INSERT ON `articles` BEGIN
  INSERT INTO `articles_fts` (rowid, title, subtitle, excerpt, body, tags)
  VALUES (new.id, new.title, coalesce(new.subtitle, ''), coalesce(new.excerpt, new.auto_excerpt), '', '');
END;
--> statement-breakpoint
CREATE TRIGGER `articles_fts_update` AFTER UPDATE OF title, subtitle, excerpt, auto_excerpt ON `articles` BEGIN
  UPDATE `articles_fts` SET title = new.title, subtitle = coalesce(new.subtitle, ''),
    excerpt = coalesce(new.excerpt, new.auto_excerpt)
  WHERE rowid = new.id;
END;
--> statement-breakpoint
CREATE TRIGGER `article_bodies_fts_insert` AFTER INSERT ON `article_bodies` BEGIN
  UPDATE `articles_fts` SET body = new.body_text WHERE rowid = new.article_id;
END;
--> statement-breakpoint
CREATE TRIGGER `article_bodies_fts_update` AFTER UPDATE OF body_text ON `article_bodies` BEGIN
  UPDATE `articles_fts` SET body = new.body_text WHERE rowid = new.article_id;
END;
