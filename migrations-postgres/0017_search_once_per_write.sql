-- An article's search document is rebuilt once per write, at commit, from what the write left.
-- The triggers of 0001 rebuilt it after every row: five times for a new article with three tags
-- (its row, each tag, its body), each time the tsvector and its GIN entries anew, 3.2 ms of a
-- create's 10 ms in PostgreSQL. Deferred to commit, each changed row still queues a rebuild, and
-- the first one of an article writes its document: a document written by this transaction (its
-- xmin) is then current, since every rebuild runs at commit, after the write's last statement.
CREATE FUNCTION "article_search_settle"(article integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM article_search s
                  WHERE s.article_id = article AND s.xmin = pg_current_xact_id()::xid) THEN
    PERFORM article_search_refresh(article);
  END IF;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "article_search_follow"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'articles' THEN
    PERFORM article_search_settle(NEW.id);
  ELSIF TG_TABLE_NAME = 'article_bodies' THEN
    PERFORM article_search_settle(NEW.article_id);
  ELSIF TG_TABLE_NAME = 'article_tags' THEN
    PERFORM article_search_settle(CASE WHEN TG_OP = 'DELETE' THEN OLD.article_id ELSE NEW.article_id END);
  ELSIF TG_TABLE_NAME = 'tags' THEN
    PERFORM article_search_settle(at.article_id) FROM article_tags at WHERE at.tag_id = NEW.id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
DROP TRIGGER "articles_search_insert" ON "articles";
--> statement-breakpoint
DROP TRIGGER "articles_search_update" ON "articles";
--> statement-breakpoint
DROP TRIGGER "article_bodies_search" ON "article_bodies";
--> statement-breakpoint
DROP TRIGGER "article_tags_search" ON "article_tags";
--> statement-breakpoint
DROP TRIGGER "tags_search_rename" ON "tags";
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "articles_search_insert" AFTER INSERT ON "articles"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "article_search_follow"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "articles_search_update" AFTER UPDATE OF "title", "subtitle", "excerpt", "auto_excerpt" ON "articles"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "article_search_follow"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "article_bodies_search" AFTER INSERT OR UPDATE OF "body_text" ON "article_bodies"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "article_search_follow"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "article_tags_search" AFTER INSERT OR DELETE ON "article_tags"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "article_search_follow"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "tags_search_rename" AFTER UPDATE OF "name" ON "tags"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "article_search_follow"();
