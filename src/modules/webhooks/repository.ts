import { and, asc, count, desc, eq, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import { writeTransaction } from '../../db/helpers.js';
import type { Db } from '../../db/index.js';
import { events, webhookAttempts, webhookDeliveries, webhooks } from '../../db/schema.js';
import { notFound } from '../../lib/errors.js';
import type { EventsRepository } from '../events/repository.js';
import type { DeliveryResult, Outgoing } from './delivery.js';
import type { Webhook, WebhookAttempt, WebhookCreate, WebhookPatch } from './schemas.js';

type Row = Omit<typeof webhooks.$inferSelect, 'events'> & { events: string[] };
export const toWebhook = ({ secret: _secret, ...row }: Row): Webhook => row;

/** A delivery taken by one process: what it needs to send it. */
export interface Claim extends Outgoing {
  deliveryId: number;
  webhookId: number;
  attempts: number;
}

/** Longer than any delivery may take: a claim left behind by a dead process expires after it. */
export const CLAIM_MS = 60_000;
export const plus = (at: string, ms: number) => new Date(Date.parse(at) + ms).toISOString();

/** Due deliveries looked at per claim. */
export const CLAIM_CANDIDATES = 200;

/**
 * Of the due deliveries (oldest first), those this process takes: at most `limit`, one per
 * endpoint, none for endpoints it is already sending to (a slow endpoint holds back only itself).
 */
export function chooseClaims(due: Claim[], busy: Set<number>, limit: number): Claim[] {
  const chosen: Claim[] = [];
  const endpoints = new Set(busy);
  for (const delivery of due) {
    if (chosen.length >= limit) break;
    if (endpoints.has(delivery.webhookId)) continue;
    endpoints.add(delivery.webhookId);
    chosen.push(delivery);
  }
  return chosen;
}

/**
 * What an attempt leads to: delivered on 2xx; the endpoint disabled (with the reason) on 410
 * or when the retries are spent; otherwise the next attempt, `retryDelaysMs` later (±10 %).
 */
export function outcome(claim: Claim, result: DeliveryResult, at: string, retryDelaysMs: number[]) {
  const attempt = claim.attempts + 1;
  const delivered = result.status !== null && result.status >= 200 && result.status < 300;
  const gone = result.status === 410;
  const delay = retryDelaysMs[attempt - 1];
  const retry = !delivered && !gone && delay !== undefined;
  const nextAttemptAt = retry ? plus(at, Math.round(delay * (0.9 + Math.random() * 0.2))) : null;
  const disabledReason =
    delivered || retry
      ? undefined
      : gone
        ? `The endpoint answered 410 Gone (event ${claim.eventId}, ${at})`
        : `${attempt} attempts to deliver event ${claim.eventId} failed; the last: ${result.error ?? 'no answer'} (${at})`;
  const state = delivered ? ('delivered' as const) : retry ? ('pending' as const) : ('failed' as const);
  return { attempt, state, nextAttemptAt, disabledReason };
}

export function createWebhooksRepository(db: Db, eventLog: EventsRepository) {
  const find = (id: number) => db.select().from(webhooks).where(eq(webhooks.id, id)).get();
  const row = (id: number) => {
    const found = find(id);
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
  /** One delivery with what sending it needs. */
  const deliveryWhere = (where: SQL | undefined): Claim | undefined =>
    db
      .select(claimColumns)
      .from(webhookDeliveries)
      .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
      .innerJoin(events, eq(events.seq, webhookDeliveries.eventSeq))
      .where(where)
      .get();
  const claimable = (at: string) =>
    and(
      eq(webhookDeliveries.state, 'pending'),
      eq(webhooks.active, true),
      or(isNull(webhookDeliveries.claimedUntil), lte(webhookDeliveries.claimedUntil, at)),
    );
  const take = (claims: Claim[], at: string) => {
    for (const claim of claims) {
      db.update(webhookDeliveries)
        .set({ claimedUntil: plus(at, CLAIM_MS) })
        .where(eq(webhookDeliveries.id, claim.deliveryId))
        .run();
    }
    return claims;
  };

  return {
    get: (id: number): Webhook => toWebhook(row(id)),

    list(page: number, perPage: number) {
      const items = db
        .select()
        .from(webhooks)
        .orderBy(asc(webhooks.id))
        .limit(perPage)
        .offset((page - 1) * perPage)
        .all()
        .map(toWebhook);
      const total = db.select({ n: count() }).from(webhooks).get()?.n ?? 0;
      return { items, total };
    },

    create(input: WebhookCreate, secret: string, at: string): Webhook {
      const created = db
        .insert(webhooks)
        .values({
          url: input.url,
          events: input.events,
          description: input.description ?? null,
          secret,
          createdAt: at,
          updatedAt: at,
        })
        .returning()
        .get();
      return toWebhook(created);
    },

    update(id: number, patch: WebhookPatch & { secret?: string }, at: string): Webhook {
      return writeTransaction(db, () => {
        row(id);
        db.update(webhooks)
          .set({
            url: patch.url,
            events: patch.events,
            description: patch.description,
            active: patch.active,
            secret: patch.secret,
            // Enabling an endpoint again forgets why it was disabled.
            ...(patch.active ? { disabledReason: null } : {}),
            updatedAt: at,
          })
          .where(eq(webhooks.id, id))
          .run();
        return toWebhook(row(id));
      });
    },

    delete(id: number): void {
      writeTransaction(db, () => {
        row(id);
        db.delete(webhooks).where(eq(webhooks.id, id)).run();
      });
    },

    /**
     * Takes due deliveries for this process, at most one per endpoint and none for endpoints it
     * is already sending to (a slow endpoint holds back only itself). One write transaction:
     * two processes never take the same delivery.
     */
    claimDue(at: string, busy: Set<number>, limit: number): Claim[] {
      const dueNow = (count: number) =>
        db
          .select(claimColumns)
          .from(webhookDeliveries)
          .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
          .innerJoin(events, eq(events.seq, webhookDeliveries.eventSeq))
          .where(and(claimable(at), lte(webhookDeliveries.nextAttemptAt, at)))
          .orderBy(asc(webhookDeliveries.nextAttemptAt), asc(webhookDeliveries.id))
          .limit(count)
          .all();
      // Looked for first without the write lock: the dispatcher asks every second.
      if (dueNow(1).length === 0) return [];
      return writeTransaction(db, () => take(chooseClaims(dueNow(CLAIM_CANDIDATES), busy, limit), at));
    },

    /** When the next pending delivery falls due, to sleep until then. */
    nextDue(at: string): string | undefined {
      return (
        db
          .select({ next: sql<string | null>`min(${webhookDeliveries.nextAttemptAt})` })
          .from(webhookDeliveries)
          .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
          .where(claimable(at))
          .get()?.next ?? undefined
      );
    },

    /** A ping for one endpoint, taken at once by the caller to send it. */
    claimPing(webhookId: number, at: string): Claim {
      return writeTransaction(db, () => {
        row(webhookId);
        const seq = eventLog.ping(webhookId, at);
        const claim = deliveryWhere(
          and(eq(webhookDeliveries.eventSeq, seq), eq(webhookDeliveries.webhookId, webhookId)),
        );
        if (!claim) throw new Error('The ping was not recorded');
        return take([claim], at)[0] as Claim;
      });
    },

    /** An existing delivery, made pending and taken at once to send again now. */
    claimRetry(webhookId: number, eventId: string, at: string): Claim {
      return writeTransaction(db, () => {
        row(webhookId);
        const claim = deliveryWhere(and(eq(webhookDeliveries.webhookId, webhookId), eq(events.id, eventId)));
        if (!claim) throw notFound(`delivery of event to webhook ${webhookId}`, eventId);
        db.update(webhookDeliveries)
          .set({ state: 'pending', nextAttemptAt: at, updatedAt: at })
          .where(eq(webhookDeliveries.id, claim.deliveryId))
          .run();
        return take([claim], at)[0] as Claim;
      });
    },

    /**
     * Records an attempt and what follows: delivered on 2xx; the endpoint disabled on 410 or
     * when the retries are spent; otherwise the next attempt, `retryDelaysMs` later (±10 %).
     */
    finish(claim: Claim, result: DeliveryResult, at: string, retryDelaysMs: number[]): WebhookAttempt {
      return writeTransaction(db, () => {
        const { attempt, state, nextAttemptAt, disabledReason } = outcome(claim, result, at, retryDelaysMs);
        db.update(webhookDeliveries)
          .set({
            attempts: attempt,
            state,
            nextAttemptAt,
            claimedUntil: null,
            updatedAt: at,
          })
          .where(eq(webhookDeliveries.id, claim.deliveryId))
          .run();
        if (disabledReason !== undefined) {
          db.update(webhooks)
            .set({ active: false, disabledReason, updatedAt: at })
            .where(eq(webhooks.id, claim.webhookId))
            .run();
        }
        const logged = {
          attempt,
          responseStatus: result.status,
          durationMs: result.durationMs,
          error: result.error,
          at,
          nextAttemptAt,
        };
        const stored = db
          .insert(webhookAttempts)
          .values({ deliveryId: claim.deliveryId, webhookId: claim.webhookId, ...logged })
          .returning({ id: webhookAttempts.id })
          .get();
        return { id: stored.id, eventId: claim.eventId, eventType: claim.type, ...logged };
      });
    },

    /** The endpoint's delivery log, newest first. */
    attempts(webhookId: number, page: number, perPage: number) {
      row(webhookId);
      const items: WebhookAttempt[] = db
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
        .offset((page - 1) * perPage)
        .all();
      const total =
        db.select({ n: count() }).from(webhookAttempts).where(eq(webhookAttempts.webhookId, webhookId)).get()
          ?.n ?? 0;
      return { items, total };
    },
  };
}

export type WebhooksRepository = ReturnType<typeof createWebhooksRepository>;
