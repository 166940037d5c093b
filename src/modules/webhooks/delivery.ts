import { createHmac, randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import { addressProblem, guardedLookup } from './address-policy.js';

/** Bytes of an endpoint's answer kept for the delivery log. */
const RESPONSE_CAPTURE_BYTES = 1024;

/** `whsec_` and 32 random bytes in base64, as Standard Webhooks secrets are written. */
export const newSigningSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` with the secret's bytes (Standard Webhooks). */
export function sign(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export interface Outgoing {
  url: string;
  secret: string;
  eventId: string;
  type: string;
  at: string;
  /** Null once forgotten (the resource was deleted for good): the tombstone is sent instead. */
  data: unknown;
  resourceId: number;
  slug: string | null;
  by: unknown;
}

export interface DeliveryResult {
  status: number | null;
  durationMs: number;
  error: string | null;
}

export interface DeliveryOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  userAgent: string;
}

/**
 * Sends one event: POST JSON `{type, timestamp, data}` (and `by`, who made it, when a key did)
 * with the Standard Webhooks headers. No
 * redirects are followed, the answer is read up to a small cap, and connections to non-public
 * addresses are refused at connect time (unless allowed).
 */
export function createDeliverer(options: DeliveryOptions) {
  const agent = new Agent({
    connect: options.allowPrivate ? {} : { lookup: guardedLookup as never },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });

  return {
    async deliver(outgoing: Outgoing): Promise<DeliveryResult> {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      const data = outgoing.data ?? { id: outgoing.resourceId, slug: outgoing.slug };
      const by = outgoing.by ?? undefined;
      const body = JSON.stringify({ type: outgoing.type, timestamp: outgoing.at, data, by });
      // The signature's timestamp is the real time of sending: receivers reject stale ones.
      const timestamp = Math.floor(Date.now() / 1000);
      try {
        const host = new URL(outgoing.url).hostname.replace(/^\[|\]$/g, '');
        const literal = options.allowPrivate ? undefined : addressProblem(host);
        if (literal && !literal.endsWith('is not an IP address')) {
          return { status: null, durationMs: elapsed(), error: `Refused: ${literal}` };
        }
        const response = await request(outgoing.url, {
          method: 'POST',
          dispatcher: agent,
          body,
          headers: {
            'content-type': 'application/json',
            'user-agent': options.userAgent,
            'webhook-id': outgoing.eventId,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': sign(outgoing.secret, outgoing.eventId, timestamp, body),
          },
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        let read = 0;
        for await (const chunk of response.body) {
          read += (chunk as Buffer).length;
          if (read >= RESPONSE_CAPTURE_BYTES) break;
        }
        response.body.destroy();
        const ok = response.statusCode >= 200 && response.statusCode < 300;
        return {
          status: response.statusCode,
          durationMs: elapsed(),
          error: ok ? null : `The endpoint answered ${response.statusCode}`,
        };
      } catch (error) {
        const cause = (error as { cause?: Error }).cause;
        const message = (cause ?? (error as Error)).message || String(error);
        const timedOut = (error as Error).name === 'TimeoutError';
        return {
          status: null,
          durationMs: elapsed(),
          error: timedOut ? `No answer within ${options.timeoutMs} ms` : message,
        };
      }
    },

    close: () => agent.close(),
  };
}

export type Deliverer = ReturnType<typeof createDeliverer>;
