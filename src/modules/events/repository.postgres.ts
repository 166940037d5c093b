import { and, asc, eq, gt, inArray, isNull, lt, max } from 'drizzle-orm';
import type { Asynchronous } from '../../db/asynchronous.js';
import type { PgDb } from '../../db/postgres/index.js';
import { events, idempotencyKeys, webhookDeliveries, webhooks } from '../../db/postgres/schema.js';
import { afterCommit, executor } from '../../db/postgres/transaction.js';
import {
  type EventInput,
  type EventResource,
  type EventsOptions,
  type EventsRepository,
  newEventId,
  storedResponsesAbout,
  subscribes,
} from './repository.js';

/**
 * The event log on PostgreSQL (see ./repository.ts). Every writer holds the write lock
 * (db/postgres/transaction.ts) from before it takes a `seq` until it commits, so `seq` order is
 * commit order here too, and a reader never sees a gap fill in.
 */
export function createPostgresEventsRepository(
  db: PgDb,
  options: EventsOptions = {},
): Asynchronous<EventsRepository, 'onRecorded'> {
  const listeners = new Set<() => void>();
  const insert = async (input: EventInput, endpoints: number[], pingFor: number | null) => {
    const tx = executor(db);
    const present = options.present ?? ((_resource: EventResource, item: unknown) => item);
    const data = endpoints.length > 0 ? present(input.resource, await input.data()) : null;
    const [row] = await tx
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
      .returning({ seq: events.seq });
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
    // Other nodes find it on their next poll.
    afterCommit(() => {
      for (const listener of listeners) listener();
    });
    return row.seq;
  };

  return {
    async record(input) {
      const active = await executor(db)
        .select({ id: webhooks.id, events: webhooks.events })
        .from(webhooks)
        .where(eq(webhooks.active, true));
      const endpoints = active
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
      executor(db)
        .select({
          seq: events.seq,
          type: events.type,
          resource: events.resource,
          id: events.resourceId,
          slug: events.slug,
          at: events.at,
        })
        .from(events)
        .where(and(gt(events.seq, seq), isNull(events.pingFor)))
        .orderBy(asc(events.seq))
        .limit(limit),

    async forget(resource, ids) {
      if (ids.length === 0) return;
      const tx = executor(db);
      await tx
        .update(events)
        .set({ data: null })
        .where(and(eq(events.resource, resource), inArray(events.resourceId, ids)));
      await tx.delete(idempotencyKeys).where(storedResponsesAbout(resource, ids, idempotencyKeys.headers));
    },

    async expire(before) {
      const deleted = await executor(db)
        .delete(events)
        .where(lt(events.at, before))
        .returning({ seq: events.seq });
      return deleted.length;
    },

    async latestSeq() {
      const [row] = await executor(db)
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
