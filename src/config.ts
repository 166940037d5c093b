import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { MEDIA_ENV, type MediaSettings, mediaSettingsOf } from './config-media.js';
import { type SiteSettings, templateProblems } from './lib/site-links.js';

export { parseCrops } from './config-media.js';
export type { MediaSettings };

/**
 * Every setting Broadsheet reads from the environment, with its default and a line of doc.
 * Only server.ts and cli.ts call loadConfig(); tests build a Config directly.
 */
export const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'TCP port to listen on' }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1', description: 'Interface to bind' }),
  DATABASE_URL: Type.String({
    minLength: 1,
    default: 'file:./data/broadsheet.db',
    description: 'file:<path> (SQLite, created on first start) or :memory:',
  }),
  BROADSHEET_ADMIN_KEY: Type.Optional(
    Type.String({ minLength: 32, description: 'An admin API key accepted without bootstrap (>= 32 chars)' }),
  ),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
    description: 'pino log level',
  }),
  BODY_LIMIT: Type.Integer({ minimum: 1024, default: 1_048_576, description: 'Largest request body, bytes' }),
  RATE_LIMIT_MAX: Type.Integer({
    minimum: 1,
    default: 600,
    description: 'Requests a minute per anonymous client (IP)',
  }),
  KEYED_RATE_LIMIT_MAX: Type.Integer({
    minimum: 1,
    default: 60_000,
    description: 'Requests a minute per API key',
  }),
  COMMENT_RATE_LIMIT_MAX: Type.Integer({
    minimum: 1,
    default: 20,
    description: 'Anonymous comment submissions a minute per client',
  }),
  CACHE_MAX_AGE: Type.Integer({
    minimum: 0,
    default: 60,
    description: 'Seconds shared caches may serve a public read without asking',
  }),
  CACHE_STALE_WHILE_REVALIDATE: Type.Integer({
    minimum: 0,
    default: 300,
    description: 'Seconds a cache may serve a stale public read while it revalidates',
  }),
  RESPONSE_CACHE_BYTES: Type.Integer({
    minimum: 0,
    default: 67_108_864,
    description:
      'Bytes of public responses kept in memory (LRU), served while their ETag is current; 0 = off',
  }),
  CORS_ORIGINS: Type.String({
    default: '*',
    description: 'Comma-separated origins browsers may call from, or * for any',
  }),
  REQUIRE_IF_MATCH: Type.Boolean({
    default: false,
    description: 'Refuse article writes without If-Match (428), so edits never overwrite each other',
  }),
  OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: Type.Integer({
    minimum: 0,
    default: 500,
    description: 'Shed load (503 + Retry-After) while the event loop lags more than this; 0 = never',
  }),
  OVERLOAD_MAX_HEAP_BYTES: Type.Integer({
    minimum: 0,
    default: 0,
    description: 'Shed load while the V8 heap is larger than this; 0 = never',
  }),
  RENDER_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    default: 10_000,
    description:
      'Longest a Markdown body may take to render (off the event loop) before the write is refused',
  }),
  SHUTDOWN_DRAIN_MS: Type.Integer({
    minimum: 0,
    default: 10_000,
    description: 'On SIGTERM, how long in-flight requests may finish before the process exits anyway',
  }),
  SITE_URL: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'The front end readers use (https://news.example.com): turns on canonical `url`s, feeds and sitemaps',
    }),
  ),
  SITE_NAME: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'The publication’s name (feeds, Google News); default: SITE_URL’s host',
    }),
  ),
  SITE_LOGO_URL: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 2000,
      description:
        'The publication’s logo, an absolute http(s) URL: the publisher’s logo in articles’ structured data',
    }),
  ),
  SITE_LANGUAGE: Type.String({
    pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$',
    default: 'en',
    description: 'Language of the content, a BCP 47 tag (feeds, Google News)',
  }),
  PUBLIC_API_URL: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'Where clients reach this server, for feed self links and sitemap locations; default SITE_URL (the front end proxies /feeds and /sitemap*)',
    }),
  ),
  ARTICLE_URL_TEMPLATE: Type.String({
    default: '{site}/{section}/{slug}',
    description: 'An article’s URL on the front end: {site} {section} {slug} {id} {yyyy} {mm} {dd}',
  }),
  SECTION_URL_TEMPLATE: Type.String({
    default: '{site}/{slug}',
    description: 'A section’s URL on the front end: {site} {slug} {id}',
  }),
  TAG_URL_TEMPLATE: Type.String({
    default: '{site}/tag/{slug}',
    description: 'A tag’s URL on the front end: {site} {slug} {id}',
  }),
  AUTHOR_URL_TEMPLATE: Type.String({
    default: '{site}/author/{slug}',
    description: 'An author’s profile page on the front end: {site} {slug} {id}',
  }),
  PREVIEW_URL_TEMPLATE: Type.String({
    default: '{site}/preview/{id}?token={token}',
    description: 'The front end’s page that shows a preview link: {site} {id} {slug} {token}',
  }),
  SITEMAP_URLS_PER_FILE: Type.Integer({
    minimum: 1,
    maximum: 50_000,
    default: 50_000,
    description: 'URLs in each /sitemaps/articles-<n>.xml (the protocol’s limit is 50,000)',
  }),
  BACKGROUND_JOBS: Type.Boolean({
    default: true,
    description:
      'Run the background jobs in this process: announcing scheduled articles, purging the trash, expiring old events, idempotency keys and rate-limit windows, and (with WEBHOOK_DELIVERY) sending webhooks. Several processes may; each job runs once. false on nodes that only serve requests',
  }),
  WEBHOOK_DELIVERY: Type.Boolean({
    default: true,
    description:
      'Send webhook deliveries from this process’s background jobs (pings and manual redeliveries are sent whatever this says); false leaves deliveries to other processes',
  }),
  WEBHOOK_ALLOW_PRIVATE: Type.Boolean({
    default: false,
    description:
      'Allow webhook URLs on loopback, private, link-local and metadata addresses (development and tests only)',
  }),
  WEBHOOK_RETRY_DELAYS: Type.String({
    pattern: '^\\d+(\\.\\d+)?(,\\d+(\\.\\d+)?){0,19}$',
    default: '5,60,300,1800,7200,21600,43200',
    description:
      'Seconds before each retry of a failed delivery (±10 % jitter); after the last, the endpoint is disabled',
  }),
  WEBHOOK_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 60_000,
    default: 10_000,
    description: 'How long a webhook endpoint may take to answer',
  }),
  TRASH_RETENTION_DAYS: Type.Integer({
    minimum: 0,
    default: 30,
    description: 'Days a deleted article stays in the trash before it is purged',
  }),
  EVENTS_RETENTION_DAYS: Type.Integer({
    minimum: 1,
    default: 30,
    description:
      'Days the event log keeps a change (the change feed, webhook deliveries and their attempts); older ones are deleted',
  }),
  SEARCH_RANK_WINDOW: Type.Integer({
    minimum: 1,
    maximum: 1_000_000,
    default: 2000,
    description:
      'Search ranks by relevance among at most this many matches, the newest: bounds the cost of a query that matches most of the archive',
  }),
  ...MEDIA_ENV,
  TRUST_PROXY: Type.Boolean({
    default: false,
    description: 'Trust X-Forwarded-For (only behind a proxy you run)',
  }),
});

export type Env = Static<typeof EnvSchema>;

export interface Config {
  port: number;
  host: string;
  /** A filesystem path for SQLite, or ':memory:' (empty when the store is PostgreSQL). */
  databaseFile: string;
  /** Set when DATABASE_URL names PostgreSQL: see src/db/postgres. */
  postgresUrl?: string;
  adminKey?: string;
  logLevel: string;
  bodyLimit: number;
  rateLimit: { anonymous: number; keyed: number; comments: number };
  cache: { maxAge: number; staleWhileRevalidate: number; responseBytes: number };
  /** '*' or a list of allowed origins. */
  corsOrigins: '*' | string[];
  requireIfMatch: boolean;
  overload: { maxEventLoopDelayMs: number; maxHeapUsedBytes: number };
  trustProxy: boolean;
  renderTimeoutMs: number;
  shutdownDrainMs: number;
  /** Canonical URLs, feeds and sitemaps; undefined without SITE_URL. */
  site?: SiteSettings;
  /** Whether this process runs the background jobs (see modules/jobs). */
  backgroundJobs: boolean;
  webhooks: WebhookSettings;
  trashRetentionDays: number;
  eventsRetentionDays: number;
  searchRankWindow: number;
  media: MediaSettings;
}

export interface WebhookSettings {
  /** Whether this process's background jobs send webhook deliveries. */
  deliver: boolean;
  allowPrivate: boolean;
  retryDelaysMs: number[];
  timeoutMs: number;
}

export class ConfigError extends Error {}

export type DatabaseLocation = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

/** Reads a DATABASE_URL: a SQLite file (file:<path>, a bare path, :memory:) or a PostgreSQL URL. */
export function parseDatabaseUrl(url: string): DatabaseLocation {
  if (url === ':memory:') return { kind: 'sqlite', file: url };
  if (url.startsWith('file:')) return { kind: 'sqlite', file: url.slice('file:'.length) || ':memory:' };
  if (/^postgres(ql)?:\/\//.test(url)) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {}
    // The message never repeats the URL: it may carry a password.
    if (!parsed?.hostname || parsed.pathname.length < 2)
      throw new ConfigError(
        'DATABASE_URL: a PostgreSQL URL needs a host and a database, as in postgres://user:password@host:5432/db',
      );
    return { kind: 'postgres', url };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url))
    throw new ConfigError(`DATABASE_URL: unsupported scheme in "${url}"`);
  return { kind: 'sqlite', file: url };
}

/** An absolute http(s) URL without query or fragment, trailing slash removed; or a problem. */
function baseUrl(name: string, value: string, problems: string[]): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {}
  if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash) {
    problems.push(`${name}: must be an absolute http(s) URL without query or fragment (got "${value}")`);
    return '';
  }
  return url.href.replace(/\/+$/, '');
}

function siteSettings(env: Env, problems: string[]): SiteSettings | undefined {
  const templates = {
    article: ['ARTICLE_URL_TEMPLATE', env.ARTICLE_URL_TEMPLATE],
    section: ['SECTION_URL_TEMPLATE', env.SECTION_URL_TEMPLATE],
    tag: ['TAG_URL_TEMPLATE', env.TAG_URL_TEMPLATE],
    author: ['AUTHOR_URL_TEMPLATE', env.AUTHOR_URL_TEMPLATE],
    preview: ['PREVIEW_URL_TEMPLATE', env.PREVIEW_URL_TEMPLATE],
  } as const;
  for (const [kind, [name, template]] of Object.entries(templates)) {
    for (const problem of templateProblems(kind as keyof typeof templates, String(template))) {
      problems.push(`${name}: ${problem}`);
    }
  }
  if (env.SITE_URL === undefined) return undefined;
  const url = baseUrl('SITE_URL', env.SITE_URL, problems);
  return {
    url,
    name: env.SITE_NAME ?? (url ? new URL(url).host : ''),
    language: env.SITE_LANGUAGE,
    ...(env.SITE_LOGO_URL === undefined
      ? {}
      : { logoUrl: baseUrl('SITE_LOGO_URL', env.SITE_LOGO_URL, problems) }),
    publicUrl:
      env.PUBLIC_API_URL === undefined ? url : baseUrl('PUBLIC_API_URL', env.PUBLIC_API_URL, problems),
    articleUrlTemplate: env.ARTICLE_URL_TEMPLATE,
    sectionUrlTemplate: env.SECTION_URL_TEMPLATE,
    tagUrlTemplate: env.TAG_URL_TEMPLATE,
    authorUrlTemplate: env.AUTHOR_URL_TEMPLATE,
    previewUrlTemplate: env.PREVIEW_URL_TEMPLATE,
    sitemapUrlsPerFile: env.SITEMAP_URLS_PER_FILE,
  };
}

/** Reads and validates the environment; throws ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.keys(EnvSchema.properties);
  const raw = Object.fromEntries(
    Object.entries(env).filter(([name, value]) => known.includes(name) && value !== ''),
  );
  const converted = Value.Convert(EnvSchema, Value.Default(EnvSchema, raw)) as Env;
  const problems = Value.Errors(EnvSchema, converted).map(
    (error) => `${error.instancePath.slice(1) || '(env)'}: ${error.message}`,
  );
  let database: DatabaseLocation = { kind: 'sqlite', file: '' };
  try {
    database = parseDatabaseUrl(String(converted.DATABASE_URL));
  } catch (error) {
    problems.push((error as Error).message);
  }
  const site = siteSettings(converted, problems);
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${problems.map((line) => `  ${line}`).join('\n')}`);
  }
  const parsed = converted;
  return {
    port: parsed.PORT,
    host: parsed.HOST,
    databaseFile: database.kind === 'sqlite' ? database.file : '',
    postgresUrl: database.kind === 'postgres' ? database.url : undefined,
    adminKey: parsed.BROADSHEET_ADMIN_KEY,
    logLevel: parsed.LOG_LEVEL,
    bodyLimit: parsed.BODY_LIMIT,
    rateLimit: {
      anonymous: parsed.RATE_LIMIT_MAX,
      keyed: parsed.KEYED_RATE_LIMIT_MAX,
      comments: parsed.COMMENT_RATE_LIMIT_MAX,
    },
    cache: {
      maxAge: parsed.CACHE_MAX_AGE,
      staleWhileRevalidate: parsed.CACHE_STALE_WHILE_REVALIDATE,
      responseBytes: parsed.RESPONSE_CACHE_BYTES,
    },
    corsOrigins:
      parsed.CORS_ORIGINS.trim() === '*'
        ? '*'
        : parsed.CORS_ORIGINS.split(',')
            .map((origin) => origin.trim())
            .filter(Boolean),
    requireIfMatch: parsed.REQUIRE_IF_MATCH,
    overload: {
      maxEventLoopDelayMs: parsed.OVERLOAD_MAX_EVENT_LOOP_DELAY_MS,
      maxHeapUsedBytes: parsed.OVERLOAD_MAX_HEAP_BYTES,
    },
    trustProxy: parsed.TRUST_PROXY,
    renderTimeoutMs: parsed.RENDER_TIMEOUT_MS,
    shutdownDrainMs: parsed.SHUTDOWN_DRAIN_MS,
    site,
    backgroundJobs: parsed.BACKGROUND_JOBS,
    webhooks: {
      deliver: parsed.WEBHOOK_DELIVERY,
      allowPrivate: parsed.WEBHOOK_ALLOW_PRIVATE,
      retryDelaysMs: parsed.WEBHOOK_RETRY_DELAYS.split(',').map((seconds) => Number(seconds) * 1000),
      timeoutMs: parsed.WEBHOOK_TIMEOUT_MS,
    },
    trashRetentionDays: parsed.TRASH_RETENTION_DAYS,
    eventsRetentionDays: parsed.EVENTS_RETENTION_DAYS,
    searchRankWindow: parsed.SEARCH_RANK_WINDOW,
    media: mediaSettingsOf(parsed),
  };
}
