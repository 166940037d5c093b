CREATE TABLE `events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`type` text NOT NULL,
	`resource` text NOT NULL,
	`resource_id` integer NOT NULL,
	`slug` text,
	`at` text NOT NULL,
	`data` text,
	`ping_for` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_id_unique` ON `events` (`id`);--> statement-breakpoint
CREATE INDEX `events_at_idx` ON `events` (`at`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`client` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`status` integer,
	`body` text,
	`headers` text,
	`created_at` text NOT NULL,
	PRIMARY KEY(`client`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_keys_created_idx` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE TABLE `webhook_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`delivery_id` integer NOT NULL,
	`webhook_id` integer NOT NULL,
	`attempt` integer NOT NULL,
	`response_status` integer,
	`duration_ms` integer NOT NULL,
	`error` text,
	`at` text NOT NULL,
	`next_attempt_at` text,
	FOREIGN KEY (`delivery_id`) REFERENCES `webhook_deliveries`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `webhook_attempts_webhook_idx` ON `webhook_attempts` (`webhook_id`,`id`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`webhook_id` integer NOT NULL,
	`event_seq` integer NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` text,
	`claimed_until` text,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`webhook_id`) REFERENCES `webhooks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`event_seq`) REFERENCES `events`(`seq`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_deliveries_event_idx` ON `webhook_deliveries` (`webhook_id`,`event_seq`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_due_idx` ON `webhook_deliveries` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `webhooks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`url` text NOT NULL,
	`events` text NOT NULL,
	`description` text,
	`active` integer DEFAULT true NOT NULL,
	`secret` text NOT NULL,
	`disabled_reason` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `articles` ADD `announced` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `articles` ADD `trashed_at` text;--> statement-breakpoint
ALTER TABLE `articles` ADD `trashed_from` text;--> statement-breakpoint
CREATE INDEX `articles_unannounced_idx` ON `articles` (`published_at`) WHERE "articles"."status" = 'published' and "articles"."announced" = 0;--> statement-breakpoint
-- Articles already live were announced before the event log existed: no flood of
-- `article.published` events on upgrade.
UPDATE `articles` SET `announced` = 1
  WHERE `status` = 'published' AND `published_at` <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
--> statement-breakpoint
-- Keyed validators follow webhook endpoints and their delivery log too (see 0004 and 0009).
CREATE TRIGGER `webhooks_insert_content_state` AFTER INSERT ON `webhooks` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `webhooks_update_content_state` AFTER UPDATE ON `webhooks` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `webhooks_delete_content_state` AFTER DELETE ON `webhooks` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `webhook_attempts_insert_content_state` AFTER INSERT ON `webhook_attempts` BEGIN UPDATE `content_state` SET `generation` = `generation` + 1, `changed_at` = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE `id` = 1; END;
