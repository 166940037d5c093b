ALTER TABLE `cache_key_versions` ADD `changed_at` text DEFAULT '' NOT NULL;--> statement-breakpoint
-- Keys moved before this upgrade were moved no later than the last public change so far: that
-- time stands for them, and for keys never moved since they exist (key_times_since).
UPDATE `cache_key_versions` SET `changed_at` = coalesce((SELECT `public_changed_at` FROM `content_state` WHERE `id` = 1), '');
--> statement-breakpoint
INSERT INTO `settings` (`name`, `value`) SELECT 'key_times_since', `public_changed_at` FROM `content_state` WHERE `id` = 1;
