import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Test } from 'tap';
import { buildApp } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { testConfig } from './config.js';
import { checkResponseAgainstDocument } from './contract.js';
import { dropSchema, postgresUrl, uniqueSchemaName } from './postgres.js';

/** The admin key every test app accepts (as BROADSHEET_ADMIN_KEY would be). */
export const ADMIN_KEY = 'test-admin-key-0123456789abcdef0123456789';

export interface TestApp {
  app: FastifyInstance;
  /** Sends a request as `key` (admin unless given; null for anonymous) and checks the answer against the OpenAPI document. */
  call: (method: InjectOptions['method'], url: string, options?: CallOptions) => Promise<CallResult>;
  clock: { now: Date; set: (iso: string) => void; advance: (ms: number) => void };
}

export interface CallOptions {
  body?: unknown;
  key?: string | null;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON and assert on it
  json: any;
}

/** A response as tests read it: JSON parsed (after decompression) when it is JSON. */
function toResult(response: LightMyRequestResponse): CallResult {
  const result: CallResult = {
    status: response.statusCode,
    headers: response.headers,
    body: response.body,
    json: undefined,
  };
  const type = String(response.headers['content-type'] ?? '');
  const encoding = response.headers['content-encoding'];
  const text =
    encoding === 'gzip'
      ? gunzipSync(response.rawPayload).toString('utf8')
      : encoding === 'br'
        ? brotliDecompressSync(response.rawPayload).toString('utf8')
        : response.body;
  if (type.includes('json') && text !== '') result.json = JSON.parse(text);
  return result;
}

/** Config for an app on a DATABASE_URL a test prepared (sharedDatabaseUrl, a CLI's database). */
export const storeAt = (databaseUrl: string): Partial<Config> =>
  databaseUrl.startsWith('file:')
    ? { databaseFile: databaseUrl.slice('file:'.length) }
    : { postgresUrl: databaseUrl };

/** Where several test apps share one store, as processes of one deployment do. */
export interface SharedStore {
  config: Partial<Config>;
  postgresSchema?: string;
}

/**
 * One store for several apps (pass it to buildTestApp): a SQLite file, or with TEST_DATABASE_URL
 * one PostgreSQL schema. Removed after the apps close (teardowns run last first).
 */
export function sharedStore(t: Test): SharedStore {
  if (postgresUrl) {
    const postgresSchema = uniqueSchemaName('shared');
    t.teardown(() => dropSchema(postgresSchema));
    return { config: {}, postgresSchema };
  }
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-shared-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return { config: { databaseFile: join(dir, 'db.sqlite') } };
}

/**
 * A fresh app over a fresh store, closed when the test ends: an in-memory SQLite database, or
 * with TEST_DATABASE_URL a PostgreSQL schema of its own.
 */
export async function buildTestApp(
  t: Test,
  overrides: Partial<Config> = {},
  shared?: SharedStore,
): Promise<TestApp> {
  const clock = {
    now: new Date('2026-01-15T12:00:00.000Z'),
    set(iso: string) {
      clock.now = new Date(iso);
    },
    advance(ms: number) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
  };
  const given = { ...shared?.config, ...overrides };
  // A test that brings its own SQLite file (an old database to migrate, a file to share) is a
  // SQLite test: it says so by giving databaseFile.
  const onPostgres = postgresUrl !== undefined && given.databaseFile === undefined;
  // An app on a database of its own (given postgresUrl) uses it as it is; others get a schema.
  const ownSchema =
    onPostgres && !shared && given.postgresUrl === undefined ? uniqueSchemaName('app') : undefined;
  const config = { adminKey: ADMIN_KEY, ...(onPostgres ? { postgresUrl } : {}), ...given };
  const app = await buildApp(testConfig(config), {
    now: () => clock.now,
    postgresSchema: shared?.postgresSchema ?? ownSchema,
  });
  t.teardown(async () => {
    await app.close();
    if (ownSchema) await dropSchema(ownSchema);
  });
  await app.ready();
  // Every response a test receives, through call() or app.inject() alike, is checked against
  // the OpenAPI document.
  const inject = app.inject.bind(app);
  app.inject = (async (options: InjectOptions) => {
    const response = await inject(options);
    checkResponseAgainstDocument(app, options.method ?? 'GET', String(options.url), toResult(response));
    return response;
  }) as unknown as typeof app.inject;

  const call = async (method: InjectOptions['method'], url: string, options: CallOptions = {}) => {
    const key = options.key === undefined ? ADMIN_KEY : options.key;
    const headers: Record<string, string> = { ...options.headers };
    if (key !== null) headers.authorization = `Bearer ${key}`;
    const response = await app.inject({
      method,
      url,
      headers,
      ...(options.body !== undefined ? { payload: options.body as InjectOptions['payload'] } : {}),
    });
    return toResult(response);
  };
  return { app, call, clock };
}
