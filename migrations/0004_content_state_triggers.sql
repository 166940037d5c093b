-- Custom SQL migration file, put your code below! --
-- Every content write moves content_state forward: ETags and Last-Modified derive from it.
INSERT INTO `content_state` (`id`, `generation`, `changed_at`) VALUES (1, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
--> statement-breakpoint
CREATE TRIGGER `articles_insert_content_state` AFTER INSERT ON `articles` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `articles_update_content_state` AFTER UPDATE ON `articles` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `articles_delete_content_state` AFTER DELETE ON `articles` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `article_tags_insert_content_state` AFTER INSERT ON `article_tags` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `article_tags_update_content_state` AFTER UPDATE ON `article_tags` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `article_tags_delete_content_state` AFTER DELETE ON `article_tags` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `article_revisions_insert_content_state` AFTER INSERT ON `article_revisions` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `article_revisions_update_content_state` AFTER UPDATE ON `article_revisions` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `article_revisions_delete_content_state` AFTER DELETE ON `article_revisions` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `sections_insert_content_state` AFTER INSERT ON `sections` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `sections_update_content_state` AFTER UPDATE ON `sections` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `sections_delete_content_state` AFTER DELETE ON `sections` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `tags_insert_content_state` AFTER INSERT ON `tags` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `tags_update_content_state` AFTER UPDATE ON `tags` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `tags_delete_content_state` AFTER DELETE ON `tags` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `comments_insert_content_state` AFTER INSERT ON `comments` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `comments_update_content_state` AFTER UPDATE ON `comments` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `comments_delete_content_state` AFTER DELETE ON `comments` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
