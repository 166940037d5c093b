import { createServer, type IncomingHttpHeaders } from 'node:http';
import { Webhook } from 'standardwebhooks';
import type { Test } from 'tap';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/**
 * A webhook endpoint on 127.0.0.1: records every request and answers with `respond` (a status,
 * or a function of the request number for fail-then-recover). Closed when the test ends.
 */
export async function startReceiver(
  t: Test,
  respond:
    | number
    | ((
        index: number,
      ) => number | { status: number; delayMs?: number; headers?: Record<string, string> }) = 200,
) {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const index = received.length;
      received.push({ headers: request.headers, body, at: Date.now() });
      const answer = typeof respond === 'number' ? { status: respond } : respond(index);
      const { status, delayMs = 0, headers = {} } = typeof answer === 'number' ? { status: answer } : answer;
      setTimeout(() => {
        if (!response.destroyed) response.writeHead(status, headers).end('noted');
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** Each delivery (from `from` on) checked with the standardwebhooks package and parsed. */
    verified(secret: string, from = 0) {
      const verifier = new Webhook(secret);
      return received.slice(from).map((delivery) => ({
        id: String(delivery.headers['webhook-id']),
        payload: verifier.verify(delivery.body, {
          'webhook-id': String(delivery.headers['webhook-id']),
          'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
          'webhook-signature': String(delivery.headers['webhook-signature']),
        }) as { type: string; timestamp: string; data: Record<string, unknown> },
      }));
    },
  };
}
