import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, parseCrops } from '../../src/config.js';

/** The configuration tests start from: in-memory database, quiet logs. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    databaseFile: ':memory:',
    logLevel: 'silent',
    bodyLimit: 1_048_576,
    rateLimit: { anonymous: 100_000, keyed: 100_000, comments: 20 },
    cache: { maxAge: 60, staleWhileRevalidate: 300, responseBytes: 8_388_608 },
    corsOrigins: '*',
    requireIfMatch: false,
    overload: { maxEventLoopDelayMs: 0, maxHeapUsedBytes: 0 },
    trustProxy: false,
    renderTimeoutMs: 10_000,
    shutdownDrainMs: 10_000,
    // Tests run the background jobs by hand (app.jobs.runOnce()), against local receivers.
    backgroundJobs: false,
    webhooks: { deliver: true, allowPrivate: true, retryDelaysMs: [5_000, 60_000], timeoutMs: 2_000 },
    trashRetentionDays: 30,
    eventsRetentionDays: 30,
    searchRankWindow: 2000,
    media: {
      maxBytes: 26_214_400,
      maxPixels: 100_000_000,
      widths: [320, 640, 960, 1280, 1920, 2560],
      crops: parseCrops('1:1,4:3,16:9'),
      // Renditions are named by content: tests may share one cache.
      cacheDir: join(tmpdir(), 'broadsheet-test-media-cache'),
      cacheBytes: 268_435_456,
    },
    ...overrides,
  };
}
