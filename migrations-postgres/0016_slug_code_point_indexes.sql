CREATE INDEX "articles_slug_code_point_idx" ON "articles" USING btree ("slug" collate "C");--> statement-breakpoint
CREATE INDEX "authors_slug_code_point_idx" ON "authors" USING btree ("slug" collate "C");--> statement-breakpoint
CREATE INDEX "sections_slug_code_point_idx" ON "sections" USING btree ("slug" collate "C");--> statement-breakpoint
CREATE INDEX "tags_slug_code_point_idx" ON "tags" USING btree ("slug" collate "C");