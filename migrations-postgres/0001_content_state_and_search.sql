-- What SQLite's migrations 0004, 0006, 0009, 0011 and 0012 do with triggers, for PostgreSQL.
--
-- 1. content_state: every write to content, keys or webhooks moves `generation` (keyed
--    validators follow it), row by row as on SQLite, so a statement that changes nothing moves
--    nothing. The row is also the store's write lock: each writing transaction updates it, so
--    writers commit one after another and the event log's `seq` is in commit order.
INSERT INTO "content_state" ("id", "generation", "changed_at")
  VALUES (1, 1, to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
--> statement-breakpoint
CREATE FUNCTION "content_state_moved"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "content_state"
    SET "generation" = "generation" + 1,
        "changed_at" = to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    WHERE "id" = 1;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "articles_content_state" AFTER INSERT OR UPDATE OR DELETE ON "articles" FOR EACH ROW EXECUTE FUNCTION "content_state_moved"();
--> statement-breakpoint
CREATE TRIGGER "article_tags_content_state" AFTER INSERT OR UPDATE OR DELETE ON "article_tags" FOR EACH ROW EXECUTE FUNCTION "content_state_moved"();
--> statement-breakpoint
CREATE TRIGGER "article_revisions_content_state" AFTER INSERT OR UPDATE OR DELETE ON "article_revisions" FOR EACH ROW EXECUTE FUNCTION "content_state_moved"();
--> statement-breakpoint
CREATE TRIGGER "sections_content_state" AFTER INSERT OR UPDATE OR DELETE ON "sections" FOR EACH ROW EXECUTE FUNCTION "content_state_moved"();
--> statement-breakpoint
CREATE TRIGGER "tags_content_state" AFTER INSERT OR UPDATE OR DELETE ON "tags" FOR EACH ROW EXECUTE FUNCTION "content_state_moved"();
--> statement-breakpoint
CREATE TRIGGER "comments_content_state" AFTER INSERT OR UPDATE OR DELETE ON "comments" FOR EACH ROW EXECUTE FUNCTION "content_state_moved"();
--> statement-breakpoint
CREATE TRIGGER "api_keys_content_state" AFTER INSERT OR UPDATE OR DELETE ON "api_keys" FOR EACH ROW EXECUTE FUNCTION "content_state_moved"();
--> statement-breakpoint
CREATE TRIGGER "webhooks_content_state" AFTER INSERT OR UPDATE OR DELETE ON "webhooks" FOR EACH ROW EXECUTE FUNCTION "content_state_moved"();
--> statement-breakpoint
CREATE TRIGGER "webhook_attempts_content_state" AFTER INSERT ON "webhook_attempts" FOR EACH ROW EXECUTE FUNCTION "content_state_moved"();
--> statement-breakpoint
-- 2. Search. Text is cut into words and folded as the query side does it (src/lib/search-query.ts
--    indexTokens, src/lib/snippet.ts foldToken): lower case by Unicode rules (ICU, whatever the
--    database's locale), diacritics stripped after canonical decomposition, and every run of
--    other characters a word break, so that the parser sees plain words ('U.S.', 'cease-fire',
--    '3.5' and e-mail addresses are several words, as in FTS5's unicode61, not one token).
--    The 'simple' configuration neither stems nor drops stop words, like unicode61.
CREATE FUNCTION "search_words"(input text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT regexp_replace(
    regexp_replace(normalize(lower(input COLLATE "und-x-icu"), NFD),
      '[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]', '', 'g') COLLATE "und-x-icu",
    '[^[:alnum:]]+', ' ', 'g')
$$;
--> statement-breakpoint
-- Title (A), tags (B), subtitle and excerpt (C), body (D). A lexeme no query can name ('-',
-- given a position so that it takes one) sits between the parts: a phrase never runs from one
-- field into the next, as in FTS5.
CREATE FUNCTION "article_search_document"(article integer) RETURNS tsvector LANGUAGE sql STABLE AS $$
  SELECT setweight(to_tsvector('simple', search_words(a.title)), 'A')
      || '-:1'::tsvector
      || setweight(to_tsvector('simple', search_words(coalesce(
           (SELECT string_agg(t.name, ' ' ORDER BY at.position)
              FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id), ''))), 'B')
      || '-:1'::tsvector
      || setweight(to_tsvector('simple', search_words(coalesce(a.subtitle, ''))), 'C')
      || '-:1'::tsvector
      || setweight(to_tsvector('simple', search_words(coalesce(a.excerpt, a.auto_excerpt))), 'C')
      || '-:1'::tsvector
      || setweight(to_tsvector('simple', search_words(coalesce(
           (SELECT b.body_text FROM article_bodies b WHERE b.article_id = a.id), ''))), 'D')
  FROM articles a WHERE a.id = article
$$;
--> statement-breakpoint
CREATE FUNCTION "article_search_refresh"(article integer) RETURNS void LANGUAGE sql AS $$
  INSERT INTO article_search (article_id, document)
    SELECT article, article_search_document(article) WHERE EXISTS (SELECT 1 FROM articles WHERE id = article)
  ON CONFLICT (article_id) DO UPDATE SET document = excluded.document
$$;
--> statement-breakpoint
CREATE FUNCTION "article_search_follow"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'articles' THEN
    PERFORM article_search_refresh(NEW.id);
  ELSIF TG_TABLE_NAME = 'article_bodies' THEN
    PERFORM article_search_refresh(NEW.article_id);
  ELSIF TG_TABLE_NAME = 'article_tags' THEN
    PERFORM article_search_refresh(CASE WHEN TG_OP = 'DELETE' THEN OLD.article_id ELSE NEW.article_id END);
  ELSIF TG_TABLE_NAME = 'tags' THEN
    PERFORM article_search_refresh(at.article_id) FROM article_tags at WHERE at.tag_id = NEW.id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "articles_search_insert" AFTER INSERT ON "articles" FOR EACH ROW EXECUTE FUNCTION "article_search_follow"();
--> statement-breakpoint
CREATE TRIGGER "articles_search_update" AFTER UPDATE OF "title", "subtitle", "excerpt", "auto_excerpt" ON "articles" FOR EACH ROW EXECUTE FUNCTION "article_search_follow"();
--> statement-breakpoint
CREATE TRIGGER "article_bodies_search" AFTER INSERT OR UPDATE OF "body_text" ON "article_bodies" FOR EACH ROW EXECUTE FUNCTION "article_search_follow"();
--> statement-breakpoint
CREATE TRIGGER "article_tags_search" AFTER INSERT OR DELETE ON "article_tags" FOR EACH ROW EXECUTE FUNCTION "article_search_follow"();
--> statement-breakpoint
CREATE TRIGGER "tags_search_rename" AFTER UPDATE OF "name" ON "tags" FOR EACH ROW EXECUTE FUNCTION "article_search_follow"();
