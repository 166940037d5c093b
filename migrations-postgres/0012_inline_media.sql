CREATE TABLE "article_media" (
	"article_id" integer NOT NULL,
	"media_id" integer NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "article_media_article_id_media_id_pk" PRIMARY KEY("article_id","media_id")
);
--> statement-breakpoint
ALTER TABLE "article_media" ADD CONSTRAINT "article_media_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "article_media" ADD CONSTRAINT "article_media_media_id_media_id_fk" FOREIGN KEY ("media_id") REFERENCES "media"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "article_media_media_idx" ON "article_media" USING btree ("media_id","article_id");--> statement-breakpoint
CREATE TRIGGER "article_media_content_state" AFTER INSERT OR UPDATE OR DELETE ON "article_media" FOR EACH ROW EXECUTE FUNCTION "content_state_moved"();