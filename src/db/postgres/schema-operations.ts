import {
  bigint,
  boolean,
  index,
  integer,
  json,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { EventActor } from '../../lib/audience.js';
import { DELIVERY_STATES } from '../schema-operations.js';
import { id, timestamps } from './columns.js';

// The PostgreSQL twin of ../schema-operations.ts (schema.ts re-exports it): the event log,
// webhooks and their deliveries, idempotent responses and shared rate limits.

export const events = pgTable(
  'events',
  {
    seq: integer('seq').primaryKey().generatedByDefaultAsIdentity(),
    id: text('id').notNull().unique(),
    type: text('type').notNull(),
    resource: text('resource').notNull(),
    resourceId: integer('resource_id').notNull(),
    slug: text('slug'),
    at: text('at').notNull(),
    data: json('data'),
    by: json('by').$type<EventActor>(),
    pingFor: integer('ping_for'),
  },
  (table) => [index('events_at_idx').on(table.at)],
);

export const webhooks = pgTable('webhooks', {
  id: id(),
  url: text('url').notNull(),
  events: json('events').$type<string[]>().notNull(),
  description: text('description'),
  active: boolean('active').notNull().default(true),
  secret: text('secret').notNull(),
  disabledReason: text('disabled_reason'),
  ...timestamps,
});

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: id(),
    webhookId: integer('webhook_id')
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    eventSeq: integer('event_seq')
      .notNull()
      .references(() => events.seq, { onDelete: 'cascade' }),
    state: text('state', { enum: DELIVERY_STATES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: text('next_attempt_at'),
    claimedUntil: text('claimed_until'),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [
    uniqueIndex('webhook_deliveries_event_idx').on(table.webhookId, table.eventSeq),
    index('webhook_deliveries_due_idx').on(table.state, table.nextAttemptAt),
  ],
);

export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: id(),
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

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    client: text('client').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    status: integer('status'),
    body: text('body'),
    headers: json('headers').$type<Record<string, string>>(),
    createdAt: text('created_at').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.client, table.key] }),
    index('idempotency_keys_created_idx').on(table.createdAt),
  ],
);

export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  windowStarted: bigint('window_started', { mode: 'number' }).notNull(),
  hits: integer('hits').notNull(),
});
