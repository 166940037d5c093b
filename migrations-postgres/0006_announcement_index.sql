DROP INDEX "articles_unannounced_idx";--> statement-breakpoint
CREATE INDEX "articles_announcement_idx" ON "articles" USING btree ("announced","status","published_at","id","slug");