import { randomBytes } from 'node:crypto';
import { and, asc, type Column, eq, gt, inArray, isNull, lt, max, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { events, idempotencyKeys, webhookDeliveries, webhooks } from '../../db/schema.js';

export const EVENT_TYPES = [
  'article.created',
  'article.updated',
  'article.published',
  'article.unpublished',
  'article.deleted',
  'article.restored',
  'section.created',
  'section.updated',
  'section.deleted',
  'tag.created',
  'tag.updated',
  'tag.deleted',
  'comment.created',
  'comment.approved',
  'comment.deleted',
  'ping',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export type EventResource = 'article' | 'section' | 'tag' | 'comment' | 'webhook';

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
  data: () => unknown;
}

export interface Change {
  seq: number;
  type: string;
  resource: string;
  id: number;
  slug: string | null;
  at: string;
}

/** `msg_` and 128 random bits: the Standard Webhooks message id. */
export const newEventId = () => `msg_${randomBytes(16).toString('base64url')}`;

/**
 * Stored idempotent responses that showed these resources: their `Location` or
 * `Content-Location` names the resource's URL (the stored headers are JSON text on both stores).
 */
export const storedResponsesAbout = (
  resource: 'article' | 'comment',
  ids: number[],
  headers: Column = idempotencyKeys.headers,
) => or(...ids.map((id) => sql`cast(${headers} as text) like ${`%"/v1/${resource}s/${id}"%`}`));

export interface EventsOptions {
  /** Adds what the API adds to a resource (its canonical `url`) to webhook payloads. */
  present?: (resource: EventResource, item: unknown) => unknown;
}

/**
 * The event log. `record` is called inside the transaction that makes the change, so the event
 * and the deliveries it owes commit (or roll back) with it: the outbox. SQLite runs one write
 * transaction at a time, so `seq` order is commit order and a reader never sees a gap fill in.
 */
export function createEventsRepository(db: Db, options: EventsOptions = {}) {
  const listeners = new Set<() => void>();
  const subscribers = db
    .select({ id: webhooks.id, events: webhooks.events })
    .from(webhooks)
    .where(eq(webhooks.active, true))
    .prepare();
  const after = db
    .select({
      seq: events.seq,
      type: events.type,
      resource: events.resource,
      id: events.resourceId,
      slug: events.slug,
      at: events.at,
    })
    .from(events)
    .where(and(gt(events.seq, sql.placeholder('after')), isNull(events.pingFor)))
    .orderBy(asc(events.seq))
    .limit(sql.placeholder('limit'))
    .prepare();
  const last = db
    .select({ seq: max(events.seq) })
    .from(events)
    .prepare();

  const insert = (input: EventInput, endpoints: number[], pingFor: number | null) => {
    const present = options.present ?? ((_resource: EventResource, item: unknown) => item);
    const data = endpoints.length > 0 ? present(input.resource, input.data()) : null;
    const { seq } = db
      .insert(events)
      .values({
        id: newEventId(),
        type: input.type,
        resource: input.resource,
        resourceId: input.id,
        slug: input.slug,
        at: input.at,
        data,
        pingFor,
      })
      .returning({ seq: events.seq })
      .get();
    if (endpoints.length > 0) {
      db.insert(webhookDeliveries)
        .values(
          endpoints.map((webhookId) => ({
            webhookId,
            eventSeq: seq,
            nextAttemptAt: input.at,
            updatedAt: input.at,
          })),
        )
        .run();
    }
    // After this synchronous transaction commits, wake whoever waits for events (the dispatcher).
    setImmediate(() => {
      for (const listener of listeners) listener();
    });
    return seq;
  };

  return {
    /** Logs a change, and a pending delivery for every active webhook that asked for it. Call inside the write transaction. */
    record(input: EventInput): void {
      const endpoints = subscribers
        .all()
        .filter((webhook) => subscribes(webhook.events, input.type))
        .map((webhook) => webhook.id);
      insert(input, endpoints, null);
    },

    /** A ping for one endpoint: delivered like any event, never in the change feed. */
    ping(webhookId: number, at: string): number {
      return insert(
        { type: 'ping', resource: 'webhook', id: webhookId, slug: null, at, data: () => ({ id: webhookId }) },
        [webhookId],
        webhookId,
      );
    },

    /** Changes after `seq`, in commit order. */
    changesAfter(seq: number, limit: number): Change[] {
      return after.all({ after: seq, limit });
    },

    /**
     * Forgets what the logs hold of resources deleted for good: their events keep only the
     * tombstone (type, id, slug, time), deliveries still owed send that, and the responses kept
     * for idempotent replays that showed them are dropped. Call inside the deleting transaction.
     */
    forget(resource: 'article' | 'comment', ids: number[]): void {
      if (ids.length === 0) return;
      db.update(events)
        .set({ data: null })
        .where(and(eq(events.resource, resource), inArray(events.resourceId, ids)))
        .run();
      db.delete(idempotencyKeys).where(storedResponsesAbout(resource, ids)).run();
    },

    /** Drops events older than `before` (EVENTS_RETENTION_DAYS), with their deliveries; returns how many. */
    expire(before: string): number {
      return db.delete(events).where(lt(events.at, before)).run().changes;
    },

    /** The newest seq (0 when the log is empty): where a new consumer may start. */
    latestSeq(): number {
      return last.get()?.seq ?? 0;
    },

    /** Calls `listener` after each committed event in this process; returns the unsubscribe. */
    onRecorded(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type EventsRepository = ReturnType<typeof createEventsRepository>;
