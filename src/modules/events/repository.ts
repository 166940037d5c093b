import { randomBytes } from 'node:crypto';
import { and, asc, type Column, eq, gt, inArray, isNull, lt, max, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import type { EventActor } from '../../lib/audience.js';

export const EVENT_TYPES = [
  'article.created',
  'article.updated',
  'article.published',
  'article.unpublished',
  'article.expired',
  'article.deleted',
  'article.restored',
  'article.corrected',
  'article.correction_removed',
  'section.created',
  'section.updated',
  'section.deleted',
  'tag.created',
  'tag.updated',
  'tag.deleted',
  'author.created',
  'author.updated',
  'author.deleted',
  'media.created',
  'media.updated',
  'media.deleted',
  'comment.created',
  'comment.approved',
  'comment.deleted',
  'ping',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export type EventResource = 'article' | 'section' | 'tag' | 'author' | 'media' | 'comment' | 'webhook';

/** Whether a webhook's `events` list (exact types, `article.*`, `*`) asks for this type. */
export function subscribes(patterns: string[], type: EventType): boolean {
  return patterns.some(
    (pattern) =>
      pattern === type ||
      (pattern === '*' && type !== 'ping') ||
      (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))),
  );
}

export interface EventInput {
  type: EventType;
  resource: EventResource;
  id: number;
  slug: string | null;
  at: string;
  /** The resource as an admin reads it; only worked out when some webhook wants the event. */
  data: () => unknown | Promise<unknown>;
  /** Who made the change, when an API key did (not a background job, not an import). */
  by?: EventActor | null;
}

export interface Change {
  seq: number;
  type: string;
  resource: string;
  id: number;
  slug: string | null;
  at: string;
  by: EventActor | null;
}

/** `msg_` and 128 random bits: the Standard Webhooks message id. */
export const newEventId = () => `msg_${randomBytes(16).toString('base64url')}`;

/**
 * Stored idempotent responses that showed these resources: their `Location` or
 * `Content-Location` names the resource's URL (the stored headers are JSON text on both stores).
 */
export const storedResponsesAbout = (resource: 'article' | 'comment', ids: number[], headers: Column) =>
  or(...ids.map((id) => sql`cast(${headers} as text) like ${`%"/v1/${resource}s/${id}"%`}`));

export interface EventsOptions {
  /** Adds what the API adds to a resource (its canonical `url`) to webhook payloads. */
  present?: (resource: EventResource, item: unknown) => unknown;
}

/**
 * The event log. `record` is called inside the transaction that makes the change, so the event
 * and the deliveries it owes commit (or roll back) with it: the outbox. Every writer holds the
 * write lock (Database.write) from before it takes a `seq` until it commits, so `seq` order is
 * commit order, and a reader never sees a gap fill in.
 */
export interface EventsRepository {
  /** Logs a change, and a pending delivery for every active webhook that asked for it. Call inside the write transaction. */
  record(input: EventInput): Promise<void>;
  /** A ping for one endpoint: delivered like any event, never in the change feed. */
  ping(webhookId: number, at: string): Promise<number>;
  /** Changes after `seq`, in commit order. */
  changesAfter(seq: number, limit: number): Promise<Change[]>;
  /**
   * Forgets what the logs hold of resources deleted for good: their events keep only the
   * tombstone (type, id, slug, time), deliveries still owed send that, and the responses kept
   * for idempotent replays that showed them are dropped. Call inside the deleting transaction.
   */
  forget(resource: 'article' | 'comment', ids: number[]): Promise<void>;
  /** Drops events older than `before` (EVENTS_RETENTION_DAYS), with their deliveries; returns how many. */
  expire(before: string): Promise<number>;
  /** The newest seq (0 when the log is empty): where a new consumer may start. */
  latestSeq(): Promise<number>;
  /** Calls `listener` after each committed event in this process; returns the unsubscribe. */
  onRecorded(listener: () => void): () => void;
}

export function createEventsRepository(db: Database, options: EventsOptions = {}): EventsRepository {
  const { events, idempotencyKeys, webhookDeliveries, webhooks } = db.tables;
  const listeners = new Set<() => void>();
  // The endpoints to deliver to, read once per write: a create records up to three events (the
  // article, a new tag, going live). No write that changes webhooks records an event here.
  const readActive = async () =>
    db
      .query()
      .select({ id: webhooks.id, events: webhooks.events })
      .from(webhooks)
      .where(eq(webhooks.active, true));
  const activeInWrite = new WeakMap<object, ReturnType<typeof readActive>>();
  const activeWebhooks = () => {
    const write = db.currentWrite();
    const known = write && activeInWrite.get(write);
    if (known) return known;
    const reading = readActive();
    if (write) activeInWrite.set(write, reading);
    return reading;
  };
  // Up to three a create: prepared once (see Database.preparedForWrites).
  const insertEvent = db.preparedForWrites((query) =>
    query
      .insert(events)
      .values({
        id: sql.placeholder('id'),
        type: sql.placeholder('type'),
        resource: sql.placeholder('resource'),
        resourceId: sql.placeholder('resourceId'),
        slug: sql.placeholder('slug'),
        at: sql.placeholder('at'),
        data: sql.placeholder('data'),
        by: sql.placeholder('by'),
        pingFor: sql.placeholder('pingFor'),
      })
      .returning({ seq: events.seq })
      .prepare('insert_event'),
  );
  const insert = async (input: EventInput, endpoints: number[], pingFor: number | null) => {
    const tx = db.query();
    const present = options.present ?? ((_resource: EventResource, item: unknown) => item);
    const data = endpoints.length > 0 ? present(input.resource, await input.data()) : null;
    const [row] = await insertEvent().execute({
      id: newEventId(),
      type: input.type,
      resource: input.resource,
      resourceId: input.id,
      slug: input.slug,
      at: input.at,
      data,
      by: input.by ?? null,
      pingFor,
    });
    if (!row) throw new Error('event not written');
    if (endpoints.length > 0) {
      await tx.insert(webhookDeliveries).values(
        endpoints.map((webhookId) => ({
          webhookId,
          eventSeq: row.seq,
          nextAttemptAt: input.at,
          updatedAt: input.at,
        })),
      );
    }
    // Wakes whoever waits for events here (the background jobs); other nodes find it on their next poll.
    db.afterCommit(() => {
      for (const listener of listeners) listener();
    });
    return row.seq;
  };

  return {
    async record(input) {
      const endpoints = (await activeWebhooks())
        .filter((webhook) => subscribes(webhook.events, input.type))
        .map((webhook) => webhook.id);
      await insert(input, endpoints, null);
    },

    ping: (webhookId, at) =>
      insert(
        { type: 'ping', resource: 'webhook', id: webhookId, slug: null, at, data: () => ({ id: webhookId }) },
        [webhookId],
        webhookId,
      ),

    changesAfter: (seq, limit) =>
      db
        .query()
        .select({
          seq: events.seq,
          type: events.type,
          resource: events.resource,
          id: events.resourceId,
          slug: events.slug,
          at: events.at,
          by: events.by,
        })
        .from(events)
        .where(and(gt(events.seq, seq), isNull(events.pingFor)))
        .orderBy(asc(events.seq))
        .limit(limit),

    async forget(resource, ids) {
      if (ids.length === 0) return;
      const tx = db.query();
      await tx
        .update(events)
        .set({ data: null, by: null })
        .where(and(eq(events.resource, resource), inArray(events.resourceId, ids)));
      await tx.delete(idempotencyKeys).where(storedResponsesAbout(resource, ids, idempotencyKeys.headers));
    },

    async expire(before) {
      const deleted = await db.writeAlone((query) =>
        query.delete(events).where(lt(events.at, before)).returning({ seq: events.seq }),
      );
      return deleted.length;
    },

    async latestSeq() {
      const [row] = await db
        .query()
        .select({ seq: max(events.seq) })
        .from(events);
      return row?.seq ?? 0;
    },

    onRecorded(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
