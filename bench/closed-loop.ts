/**
 * A closed-loop client that serves its connections in turn, for writes: each of N connections
 * sends its next request when its last one is answered, as wrk does, but every connection gets
 * its turn. Measured on this machine, wrk served its connections unevenly once the server was
 * the bottleneck (a server burning 6 ms a request: p99 1.17 s through wrk, 650 ms through this),
 * so a saturated server's p99 through wrk tells about wrk as much as about the server.
 * Run pinned to the generator's core: tsx bench/closed-loop.ts <base> <path> <body> <key> <connections> <seconds>
 * Prints one JSON line: requests per second, p50, p99 and max in ms, non-2xx.
 */
import { Agent, request } from 'undici';

const [base = '', path = '', template = '', key = '', connectionsText = '50', secondsText = '10'] =
  process.argv.slice(2);
const connections = Number(connectionsText);
const seconds = Number(secondsText);
const agent = new Agent({ connections, pipelining: 1 });
const latencies: number[] = [];
let sent = 0;
let non2xx = 0;
const deadline = Date.now() + seconds * 1000;

async function connection() {
  while (Date.now() < deadline) {
    const started = performance.now();
    const response = await request(`${base}${path}`, {
      method: 'POST',
      body: template.replaceAll('{n}', `loop-${process.pid}-${sent++}`),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      dispatcher: agent,
    });
    await response.body.arrayBuffer();
    if (response.statusCode >= 300) non2xx++;
    latencies.push(performance.now() - started);
  }
}

await Promise.all(Array.from({ length: connections }, connection));
await agent.close();
latencies.sort((a, b) => a - b);
const at = (share: number) =>
  Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * share))] ?? 0);
process.stdout.write(
  `${JSON.stringify({
    requestsPerSecond: Math.round(latencies.length / seconds),
    p50: at(0.5),
    p99: at(0.99),
    max: Math.round(latencies.at(-1) ?? 0),
    non2xx,
  })}\n`,
);
