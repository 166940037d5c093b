import { and, asc, count, desc, eq, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Asynchronous } from '../../db/asynchronous.js';
import type { PgDb } from '../../db/postgres/index.js';
import { events, webhookAttempts, webhookDeliveries, webhooks } from '../../db/postgres/schema.js';
import { executor, writeTransaction } from '../../db/postgres/transaction.js';
import { notFound } from '../../lib/errors.js';
import type { EventsRepository } from '../events/repository.js';
import {
  CLAIM_CANDIDATES,
  CLAIM_MS,
  type Claim,
  chooseClaims,
  outcome,
  plus,
  toWebhook,
  type WebhooksRepository,
} from './repository.js';
import type { WebhookAttempt } from './schemas.js';

/**
 * Webhooks on PostgreSQL (see ./repository.ts). Claims are taken under the write lock
 * (db/postgres/transaction.ts), so two nodes' dispatchers never take the same delivery.
 */
export function createPostgresWebhooksRepository(
  db: PgDb,
  eventLog: Asynchronous<EventsRepository, 'onRecorded'>,
): Asynchronous<WebhooksRepository> {
  const row = async (id: number) => {
    const [found] = await executor(db).select().from(webhooks).where(eq(webhooks.id, id));
    if (!found) throw notFound('webhook', id);
    return found;
  };
  const claimColumns = {
    deliveryId: webhookDeliveries.id,
    webhookId: webhookDeliveries.webhookId,
    attempts: webhookDeliveries.attempts,
    url: webhooks.url,
    secret: webhooks.secret,
    eventId: events.id,
    type: events.type,
    at: events.at,
    data: events.data,
    resourceId: events.resourceId,
    slug: events.slug,
  };
  const deliveries = (where: SQL | undefined) =>
    executor(db)
      .select(claimColumns)
      .from(webhookDeliveries)
      .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
      .innerJoin(events, eq(events.seq, webhookDeliveries.eventSeq))
      .where(where);
  const claimable = (at: string) =>
    and(
      eq(webhookDeliveries.state, 'pending'),
      eq(webhooks.active, true),
      or(isNull(webhookDeliveries.claimedUntil), lte(webhookDeliveries.claimedUntil, at)),
    );
  const dueNow = (at: string, limit: number) =>
    deliveries(and(claimable(at), lte(webhookDeliveries.nextAttemptAt, at)))
      .orderBy(asc(webhookDeliveries.nextAttemptAt), asc(webhookDeliveries.id))
      .limit(limit);
  const take = async (claims: Claim[], at: string) => {
    for (const claim of claims) {
      await executor(db)
        .update(webhookDeliveries)
        .set({ claimedUntil: plus(at, CLAIM_MS) })
        .where(eq(webhookDeliveries.id, claim.deliveryId));
    }
    return claims;
  };
  const takeOne = async (claim: Claim | undefined, at: string) => {
    if (!claim) throw new Error('The delivery was not recorded');
    await take([claim], at);
    return claim;
  };

  return {
    get: async (id) => toWebhook(await row(id)),

    async list(page, perPage) {
      const rows = await executor(db)
        .select()
        .from(webhooks)
        .orderBy(asc(webhooks.id))
        .limit(perPage)
        .offset((page - 1) * perPage);
      const [total] = await executor(db).select({ n: count() }).from(webhooks);
      return { items: rows.map(toWebhook), total: total?.n ?? 0 };
    },

    async create(input, secret, at) {
      const [created] = await executor(db)
        .insert(webhooks)
        .values({
          url: input.url,
          events: input.events,
          description: input.description ?? null,
          secret,
          createdAt: at,
          updatedAt: at,
        })
        .returning();
      if (!created) throw new Error('webhook not written');
      return toWebhook(created);
    },

    update: (id, patch, at) =>
      writeTransaction(db, async () => {
        await row(id);
        await executor(db)
          .update(webhooks)
          .set({
            url: patch.url,
            events: patch.events,
            description: patch.description,
            active: patch.active,
            secret: patch.secret,
            ...(patch.active ? { disabledReason: null } : {}),
            updatedAt: at,
          })
          .where(eq(webhooks.id, id));
        return toWebhook(await row(id));
      }),

    delete: (id) =>
      writeTransaction(db, async () => {
        await row(id);
        await executor(db).delete(webhooks).where(eq(webhooks.id, id));
      }),

    async claimDue(at, busy, limit) {
      if ((await dueNow(at, 1)).length === 0) return [];
      return writeTransaction(db, async () =>
        take(chooseClaims(await dueNow(at, CLAIM_CANDIDATES), busy, limit), at),
      );
    },

    async nextDue(at) {
      const [found] = await executor(db)
        .select({ next: sql<string | null>`min(${webhookDeliveries.nextAttemptAt})` })
        .from(webhookDeliveries)
        .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
        .where(claimable(at));
      return found?.next ?? undefined;
    },

    claimPing: (webhookId, at) =>
      writeTransaction(db, async () => {
        await row(webhookId);
        const seq = await eventLog.ping(webhookId, at);
        const [claim] = await deliveries(
          and(eq(webhookDeliveries.eventSeq, seq), eq(webhookDeliveries.webhookId, webhookId)),
        );
        return takeOne(claim, at);
      }),

    claimRetry: (webhookId, eventId, at) =>
      writeTransaction(db, async () => {
        await row(webhookId);
        const [claim] = await deliveries(
          and(eq(webhookDeliveries.webhookId, webhookId), eq(events.id, eventId)),
        );
        if (!claim) throw notFound(`delivery of event to webhook ${webhookId}`, eventId);
        await executor(db)
          .update(webhookDeliveries)
          .set({ state: 'pending', nextAttemptAt: at, updatedAt: at })
          .where(eq(webhookDeliveries.id, claim.deliveryId));
        return takeOne(claim, at);
      }),

    finish: (claim, result, at, retryDelaysMs) =>
      writeTransaction(db, async (): Promise<WebhookAttempt> => {
        const { attempt, state, nextAttemptAt, disabledReason } = outcome(claim, result, at, retryDelaysMs);
        await executor(db)
          .update(webhookDeliveries)
          .set({ attempts: attempt, state, nextAttemptAt, claimedUntil: null, updatedAt: at })
          .where(eq(webhookDeliveries.id, claim.deliveryId));
        if (disabledReason !== undefined) {
          await executor(db)
            .update(webhooks)
            .set({ active: false, disabledReason, updatedAt: at })
            .where(eq(webhooks.id, claim.webhookId));
        }
        const logged = {
          attempt,
          responseStatus: result.status,
          durationMs: result.durationMs,
          error: result.error,
          at,
          nextAttemptAt,
        };
        const [stored] = await executor(db)
          .insert(webhookAttempts)
          .values({ deliveryId: claim.deliveryId, webhookId: claim.webhookId, ...logged })
          .returning({ id: webhookAttempts.id });
        return { id: stored?.id as number, eventId: claim.eventId, eventType: claim.type, ...logged };
      }),

    async attempts(webhookId, page, perPage) {
      await row(webhookId);
      const items = await executor(db)
        .select({
          id: webhookAttempts.id,
          eventId: events.id,
          eventType: events.type,
          attempt: webhookAttempts.attempt,
          responseStatus: webhookAttempts.responseStatus,
          durationMs: webhookAttempts.durationMs,
          error: webhookAttempts.error,
          at: webhookAttempts.at,
          nextAttemptAt: webhookAttempts.nextAttemptAt,
        })
        .from(webhookAttempts)
        .innerJoin(webhookDeliveries, eq(webhookDeliveries.id, webhookAttempts.deliveryId))
        .innerJoin(events, eq(events.seq, webhookDeliveries.eventSeq))
        .where(eq(webhookAttempts.webhookId, webhookId))
        .orderBy(desc(webhookAttempts.id))
        .limit(perPage)
        .offset((page - 1) * perPage);
      const [total] = await executor(db)
        .select({ n: count() })
        .from(webhookAttempts)
        .where(eq(webhookAttempts.webhookId, webhookId));
      return { items, total: total?.n ?? 0 };
    },
  };
}
