import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { EventActor } from '../lib/audience.js';
import { timestamps } from './columns.js';

// What the API keeps beside the content (schema.ts re-exports it): the event log, webhooks and
// their deliveries, idempotent responses and shared rate limits.

/**
 * The event log: every change, in commit order (`seq`), written in the transaction that makes
 * it. It is the change feed, and the outbox webhook deliveries are made from.
 */
export const events = sqliteTable(
  'events',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    /** Unique and stable: the `webhook-id` of every delivery of this event. */
    id: text('id').notNull().unique(),
    type: text('type').notNull(),
    resource: text('resource').notNull(),
    resourceId: integer('resource_id').notNull(),
    slug: text('slug'),
    at: text('at').notNull(),
    /** The resource as an admin reads it (`{id, slug}` for deletions); kept only when a webhook wants it. */
    data: text('data', { mode: 'json' }),
    /** Who made the change (`{keyId, keyName, author}`), for changes an API key made; else null. */
    by: text('by', { mode: 'json' }).$type<EventActor>(),
    /** A ping is for one endpoint, and no change: it stays out of the change feed. */
    pingFor: integer('ping_for'),
  },
  (table) => [index('events_at_idx').on(table.at)],
);

export const webhooks = sqliteTable('webhooks', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  url: text('url').notNull(),
  events: text('events', { mode: 'json' }).$type<string[]>().notNull(),
  description: text('description'),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  /**
   * The signing secret. Unlike API keys it cannot be stored hashed: every delivery is signed
   * with it. Shown once, never logged, never returned again.
   */
  secret: text('secret').notNull(),
  /** Why the endpoint was disabled (410 Gone, retries exhausted), until it is enabled again. */
  disabledReason: text('disabled_reason'),
  ...timestamps,
});

export const DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;

/** One event for one endpoint: where its delivery stands. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    webhookId: integer('webhook_id')
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    eventSeq: integer('event_seq')
      .notNull()
      .references(() => events.seq, { onDelete: 'cascade' }),
    state: text('state', { enum: DELIVERY_STATES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: text('next_attempt_at'),
    /** A process is delivering it until then; after that (it died) another may take it. */
    claimedUntil: text('claimed_until'),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [
    uniqueIndex('webhook_deliveries_event_idx').on(table.webhookId, table.eventSeq),
    index('webhook_deliveries_due_idx').on(table.state, table.nextAttemptAt),
  ],
);

/** Every attempt to deliver, as the endpoint's delivery log shows it. */
export const webhookAttempts = sqliteTable(
  'webhook_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deliveryId: integer('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    webhookId: integer('webhook_id').notNull(),
    attempt: integer('attempt').notNull(),
    responseStatus: integer('response_status'),
    durationMs: integer('duration_ms').notNull(),
    error: text('error'),
    at: text('at').notNull(),
    nextAttemptAt: text('next_attempt_at'),
  },
  (table) => [index('webhook_attempts_webhook_idx').on(table.webhookId, table.id)],
);

/** Responses kept for Idempotency-Key replays, per client, for 24 hours. */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    client: text('client').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    /** null while the first request is still being answered. */
    status: integer('status'),
    body: text('body'),
    headers: text('headers', { mode: 'json' }).$type<Record<string, string>>(),
    createdAt: text('created_at').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.client, table.key] }),
    index('idempotency_keys_created_idx').on(table.createdAt),
  ],
);

/**
 * Rate-limit windows that every process shares (comment submissions): one row per client and
 * limit, counting hits since `window_started` (ms since the epoch). Other limits count in
 * memory, per process.
 */
export const rateLimits = sqliteTable('rate_limits', {
  key: text('key').primaryKey(),
  windowStarted: integer('window_started').notNull(),
  hits: integer('hits').notNull(),
});
