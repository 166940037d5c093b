-- Custom SQL migration file, put your code below! ---- Full-text search over articles (SQLite FTS5; the one SQLite-only feature, kept to this file and
-- src/modules/search). Diacritics and case are folded; the index follows every write through
-- triggers, inside the writing transaction, so it is never stale.
CREATE VIRTUAL TABLE `articles_fts` USING fts5(title, subtitle, excerpt, body, tags, tokenize = 'unicode61 remove_diacritics 2');
--> statement-breakpoint
INSERT INTO `articles_fts` (rowid, title, subtitle, excerpt, body, tags)
  SELECT a.id, a.title, coalesce(a.subtitle, ''), coalesce(a.excerpt, a.auto_excerpt), a.body_text,
    coalesce((SELECT group_concat(name, ' ') FROM (SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id ORDER BY at.position)), '')
  FROM articles a;
--> statement-breakpoint
CREATE TRIGGER `articles_fts_insert` AFTER INSERT ON `articles` BEGIN
  INSERT INTO `articles_fts` (rowid, title, subtitle, excerpt, body, tags)
  VALUES (new.id, new.title, coalesce(new.subtitle, ''), coalesce(new.excerpt, new.auto_excerpt), new.body_text, '');
END;
--> statement-breakpoint
CREATE TRIGGER `articles_fts_update` AFTER UPDATE OF title, subtitle, excerpt, auto_excerpt, body_text ON `articles` BEGIN
  UPDATE `articles_fts` SET title = new.title, subtitle = coalesce(new.subtitle, ''),
    excerpt = coalesce(new.excerpt, new.auto_excerpt), body = new.body_text
  WHERE rowid = new.id;
END;
--> statement-breakpoint
CREATE TRIGGER `articles_fts_delete` AFTER DELETE ON `articles` BEGIN
  DELETE FROM `articles_fts` WHERE rowid = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER `article_tags_fts_insert` AFTER INSERT ON `article_tags` BEGIN
  UPDATE `articles_fts` SET tags = coalesce((SELECT group_concat(name, ' ') FROM (SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = new.article_id ORDER BY at.position)), '')
  WHERE rowid = new.article_id;
END;
--> statement-breakpoint
CREATE TRIGGER `article_tags_fts_delete` AFTER DELETE ON `article_tags` BEGIN
  UPDATE `articles_fts` SET tags = coalesce((SELECT group_concat(name, ' ') FROM (SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = old.article_id ORDER BY at.position)), '')
  WHERE rowid = old.article_id;
END;
--> statement-breakpoint
CREATE TRIGGER `tags_fts_rename` AFTER UPDATE OF name ON `tags` BEGIN
  UPDATE `articles_fts` SET tags = coalesce((SELECT group_concat(name, ' ') FROM (SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = articles_fts.rowid ORDER BY at.position)), '')
  WHERE rowid IN (SELECT article_id FROM article_tags WHERE tag_id = new.id);
END;
