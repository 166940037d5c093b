-- Custom SQL migration file, put your code below! --
-- Key writes (create, revoke, last use) move the keyed validators too: GET /v1/keys shows them.
CREATE TRIGGER `api_keys_insert_content_state` AFTER INSERT ON `api_keys` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `api_keys_update_content_state` AFTER UPDATE ON `api_keys` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `api_keys_delete_content_state` AFTER DELETE ON `api_keys` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
