-- Prefix indexes for 2- and 3-letter prefixes: without them `th*` merges the doclists of every
-- word starting with "th" at query time (hundreds of milliseconds over a few thousand articles).
-- The triggers of 0006 and 0011 name the table, not its options, so they keep working.
DROP TABLE `articles_fts`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `articles_fts` USING fts5(title, subtitle, excerpt, body, tags, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
--> statement-breakpoint
INSERT INTO `articles_fts` (rowid, title, subtitle, excerpt, body, tags)
  SELECT a.id, a.title, coalesce(a.subtitle, ''), coalesce(a.excerpt, a.auto_excerpt), coalesce(b.body_text, ''),
    coalesce((SELECT group_concat(name, ' ') FROM (SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id ORDER BY at.position)), '')
  FROM articles a LEFT JOIN article_bodies b ON b.article_id = a.id;
