import { and, asc, desc, eq, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Database, Tables } from '../../db/database.js';
import { withPagination } from '../../db/helpers.js';
import { notFound } from '../../lib/errors.js';
import type { EventsRepository } from '../events/repository.js';
import type { DeliveryResult, Outgoing } from './delivery.js';
import type { Webhook, WebhookAttempt, WebhookCreate, WebhookPatch } from './schemas.js';

type Row = Omit<Tables['webhooks']['$inferSelect'], 'events'> & { events: string[] };
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

type Page<T> = { items: T[]; total: number };

export interface WebhooksRepository {
  get(id: number): Promise<Webhook>;
  list(page: number, perPage: number): Promise<Page<Webhook>>;
  create(input: WebhookCreate, secret: string, at: string): Promise<Webhook>;
  update(id: number, patch: WebhookPatch & { secret?: string }, at: string): Promise<Webhook>;
  delete(id: number): Promise<void>;
  /**
   * Takes due deliveries for this process, at most one per endpoint and none for endpoints it
   * is already sending to (a slow endpoint holds back only itself). One write transaction:
   * two processes never take the same delivery.
   */
  claimDue(at: string, busy: Set<number>, limit: number): Promise<Claim[]>;
  /** When the next pending delivery falls due, to sleep until then. */
  nextDue(at: string): Promise<string | undefined>;
  /** A ping for one endpoint, taken at once by the caller to send it. */
  claimPing(webhookId: number, at: string): Promise<Claim>;
  /** An existing delivery, made pending and taken at once to send again now. */
  claimRetry(webhookId: number, eventId: string, at: string): Promise<Claim>;
  /**
   * Records an attempt and what follows: delivered on 2xx; the endpoint disabled on 410 or
   * when the retries are spent; otherwise the next attempt, `retryDelaysMs` later (±10 %).
   */
  finish(claim: Claim, result: DeliveryResult, at: string, retryDelaysMs: number[]): Promise<WebhookAttempt>;
  /** The endpoint's delivery log, newest first. */
  attempts(webhookId: number, page: number, perPage: number): Promise<Page<WebhookAttempt>>;
}

/**
 * Webhooks and their deliveries. Claims are taken under the write lock (Database.write), so two
 * processes' or nodes' background jobs never take the same delivery.
 */
export function createWebhooksRepository(db: Database, eventLog: EventsRepository): WebhooksRepository {
  const { events, webhookAttempts, webhookDeliveries, webhooks } = db.tables;
  const row = async (id: number) => {
    const [found] = await db.query().select().from(webhooks).where(eq(webhooks.id, id));
    if (!found) throw notFound('webhook', id);
    return found;
  };
  return {
    get: async (id) => toWebhook(await row(id)),

    async list(page, perPage) {
      const rows = await withPagination(
        db.query().select().from(webhooks).orderBy(asc(webhooks.id)).$dynamic(),
        page,
        perPage,
      );
      const total = await db.query().$count(webhooks);
      return { items: rows.map(toWebhook), total };
    },

    async create(input, secret, at) {
      const [created] = await db.writeAlone((query) =>
        query
          .insert(webhooks)
          .values({
            url: input.url,
            events: input.events,
            description: input.description ?? null,
            secret,
            createdAt: at,
            updatedAt: at,
          })
          .returning(),
      );
      if (!created) throw new Error('webhook not written');
      return toWebhook(created);
    },

    update: (id, patch, at) =>
      db.write(async () => {
        await row(id);
        await db
          .query()
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
      db.write(async () => {
        await row(id);
        await db.query().delete(webhooks).where(eq(webhooks.id, id));
      }),

    ...createDeliveries(db, eventLog, row),

    async attempts(webhookId, page, perPage) {
      await row(webhookId);
      const items = await db
        .query()
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
      const total = await db.query().$count(webhookAttempts, eq(webhookAttempts.webhookId, webhookId));
      return { items, total };
    },
  };
}

/** Deliveries: taking them under the write lock (two processes never take the same one) and recording attempts. */
function createDeliveries(
  db: Database,
  eventLog: EventsRepository,
  row: (id: number) => Promise<Row>,
): Pick<WebhooksRepository, 'claimDue' | 'nextDue' | 'claimPing' | 'claimRetry' | 'finish'> {
  const { events, webhookAttempts, webhookDeliveries, webhooks } = db.tables;
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
    by: events.by,
    resourceId: events.resourceId,
    slug: events.slug,
  };
  const deliveries = (where: SQL | undefined) =>
    db
      .query()
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
      await db
        .query()
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
    async claimDue(at: string, busy: Set<number>, limit: number) {
      if ((await dueNow(at, 1)).length === 0) return [];
      return db.write(async () => take(chooseClaims(await dueNow(at, CLAIM_CANDIDATES), busy, limit), at));
    },

    async nextDue(at: string) {
      const [found] = await db
        .query()
        .select({ next: sql<string | null>`min(${webhookDeliveries.nextAttemptAt})` })
        .from(webhookDeliveries)
        .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
        .where(claimable(at));
      return found?.next ?? undefined;
    },

    claimPing: (webhookId: number, at: string) =>
      db.write(async () => {
        await row(webhookId);
        const seq = await eventLog.ping(webhookId, at);
        const [claim] = await deliveries(
          and(eq(webhookDeliveries.eventSeq, seq), eq(webhookDeliveries.webhookId, webhookId)),
        );
        return takeOne(claim, at);
      }),

    claimRetry: (webhookId: number, eventId: string, at: string) =>
      db.write(async () => {
        await row(webhookId);
        const [claim] = await deliveries(
          and(eq(webhookDeliveries.webhookId, webhookId), eq(events.id, eventId)),
        );
        if (!claim) throw notFound(`delivery of event to webhook ${webhookId}`, eventId);
        await db
          .query()
          .update(webhookDeliveries)
          .set({ state: 'pending', nextAttemptAt: at, updatedAt: at })
          .where(eq(webhookDeliveries.id, claim.deliveryId));
        return takeOne(claim, at);
      }),

    finish: (claim: Claim, result: DeliveryResult, at: string, retryDelaysMs: number[]) =>
      db.write(async (): Promise<WebhookAttempt> => {
        const { attempt, state, nextAttemptAt, disabledReason } = outcome(claim, result, at, retryDelaysMs);
        await db
          .query()
          .update(webhookDeliveries)
          .set({ attempts: attempt, state, nextAttemptAt, claimedUntil: null, updatedAt: at })
          .where(eq(webhookDeliveries.id, claim.deliveryId));
        if (disabledReason !== undefined) {
          await db
            .query()
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
        const [stored] = await db
          .query()
          .insert(webhookAttempts)
          .values({ deliveryId: claim.deliveryId, webhookId: claim.webhookId, ...logged })
          .returning({ id: webhookAttempts.id });
        return { id: stored?.id as number, eventId: claim.eventId, eventType: claim.type, ...logged };
      }),
  };
}
