import type { WebhookSettings } from '../../config.js';
import type { Services } from '../services.js';
import { createDeliverer } from '../webhooks/delivery.js';
import type { Claim } from '../webhooks/repository.js';

/** Endpoints sent to at once by one process; each endpoint gets one delivery at a time. */
const CONCURRENCY = 16;
/** The longest sleep: other processes' events are found within this. */
const POLL_MS = 1000;
const MAINTENANCE_MS = 60_000;

export interface BackgroundJobsOptions {
  webhooks: WebhookSettings;
  trashRetentionDays: number;
  eventsRetentionDays: number;
  userAgent: string;
  log: { warn: (details: object, message: string) => void };
}

/**
 * The work no request does: announcing scheduled articles when their instant comes; purging the
 * trash and expiring old events, idempotency keys and rate-limit windows; and, with
 * WEBHOOK_DELIVERY, sending webhook deliveries (with retries). It wakes at once after a write in
 * this process, at the next scheduled instant or retry, and at least every second for what
 * other processes wrote. Several processes can run it on one database: announcements and
 * deliveries are claimed in a write transaction, so each happens once.
 */
export function createBackgroundJobs(services: Services, options: BackgroundJobsOptions) {
  const deliverer = createDeliverer({
    timeoutMs: options.webhooks.timeoutMs,
    allowPrivate: options.webhooks.allowPrivate,
    userAgent: options.userAgent,
  });
  const inFlight = new Map<number, Promise<unknown>>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let lastMaintenance = 0;
  let unsubscribe: (() => void) | undefined;
  const at = () => services.now().toISOString();

  const send = async (claim: Claim) => {
    const result = await deliverer.deliver(claim);
    return await services.webhooks.finish(claim, result, at(), options.webhooks.retryDelaysMs);
  };

  const maintain = async (now: string, force: boolean) => {
    if (!force && Date.now() - lastMaintenance < MAINTENANCE_MS) return;
    lastMaintenance = Date.now();
    const daysAgo = (days: number) => new Date(Date.parse(now) - days * 86_400_000).toISOString();
    await services.articles.purgeTrashedBefore(daysAgo(options.trashRetentionDays));
    await services.events.expire(daysAgo(options.eventsRetentionDays));
    await services.idempotency.expire(now);
    await services.rateLimits.expire(Date.parse(now));
  };

  /** One round: announce, maintain, claim what is due and start sending it. */
  const round = async (force = false) => {
    const now = at();
    await services.articles.announceDue(now);
    await maintain(now, force);
    const free = options.webhooks.deliver ? CONCURRENCY - inFlight.size : 0;
    const claims = free > 0 ? await services.webhooks.claimDue(now, new Set(inFlight.keys()), free) : [];
    for (const claim of claims) {
      const sending = send(claim)
        .catch((error: unknown) => options.log.warn({ err: error }, 'webhook delivery failed to record'))
        .finally(() => {
          inFlight.delete(claim.webhookId);
          wake();
        });
      inFlight.set(claim.webhookId, sending);
    }
  };

  const sleepMs = async () => {
    const now = at();
    const nextDelivery = options.webhooks.deliver ? await services.webhooks.nextDue(now) : undefined;
    const wakeAt = [await services.articles.nextScheduledInstant(now), nextDelivery]
      .filter((instant): instant is string => instant !== undefined)
      .map((instant) => Date.parse(instant) - Date.parse(now));
    return Math.max(0, Math.min(POLL_MS, ...wakeAt));
  };

  // Rounds never overlap (two would both think an endpoint idle); a wake during a round
  // asks for the next one as soon as it ends.
  let inRound = false;
  let wokenInRound = false;
  const tick = async () => {
    timer = undefined;
    if (stopped) return;
    if (inRound) {
      wokenInRound = true;
      return;
    }
    inRound = true;
    let delay = POLL_MS;
    try {
      await round();
      delay = await sleepMs();
    } catch (error) {
      // A busy database or a full disk: try again on the next round.
      options.log.warn({ err: error }, 'background jobs round failed');
    }
    inRound = false;
    if (wokenInRound) delay = 0;
    wokenInRound = false;
    if (!stopped && !timer) timer = setTimeout(tick, delay);
  };

  function wake() {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(tick, 0);
  }

  return {
    start(): void {
      if (!stopped) return;
      stopped = false;
      unsubscribe = services.events.onRecorded(wake);
      wake();
    },

    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      unsubscribe?.();
      await Promise.allSettled(inFlight.values());
      await deliverer.close();
    },

    /**
     * Rounds until nothing is due or in flight (tests run the jobs this way): as each
     * delivery ends, the next round starts, so endpoints proceed at their own pace.
     */
    async runOnce(): Promise<void> {
      await round(true);
      for (;;) {
        if (inFlight.size > 0) await Promise.race(inFlight.values());
        // A delivery that ends during a round was busy when that round claimed: only a round
        // that began with nothing in flight and claimed nothing shows that nothing is due.
        const idle = inFlight.size === 0;
        await round();
        if (idle && inFlight.size === 0) return;
      }
    },

    /** Sends a claimed delivery now (ping, manual retry) and returns the attempt. */
    sendNow: send,
  };
}

export type BackgroundJobs = ReturnType<typeof createBackgroundJobs>;
