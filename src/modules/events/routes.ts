import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireScope } from '../../http/auth.js';
import { EmbeddedRefSchema, errorResponses, Nullable, RefOf, Timestamp } from '../../http/schemas.js';
import type { RouteOptions } from '../services.js';
import type { Change } from './repository.js';

const MAX_WAIT_SECONDS = 30;
/** How often a long poll looks for what other processes wrote. */
const POLL_MS = 250;

/** Who made a change, as the change feed and webhook payloads tell it. */
export const EventActorSchema = Type.Object(
  {
    keyId: Nullable(Type.Integer({ description: 'null for the admin key from the environment' })),
    keyName: Type.String({ examples: ['ada laptop'] }),
    author: Nullable(EmbeddedRefSchema),
  },
  {
    $id: 'EventActor',
    title: 'EventActor',
    additionalProperties: false,
    description: 'The API key that made a change, and the author it acts for',
  },
);

const ChangeSchema = Type.Object(
  {
    seq: Type.Integer({ minimum: 1, description: 'Position in the log: commit order' }),
    type: Type.String({ examples: ['article.published'] }),
    resource: Type.String({ examples: ['article'] }),
    id: Type.Integer(),
    slug: Nullable(Type.String()),
    at: Timestamp('When the change was made'),
    by: Nullable(RefOf(EventActorSchema), {
      description:
        'Who made the change. null for what no key did (a scheduled article going live, imports, changes recorded before keys were) and for changes to sections, tags, authors and comments',
    }),
  },
  { $id: 'Change', title: 'Change', additionalProperties: false },
);

const ChangeFeedSchema = Type.Object(
  {
    data: Type.Array(Type.Ref('Change')),
    meta: Type.Object(
      {
        nextCursor: Type.String({
          description: 'Pass as `since` to read on: never misses a change, never repeats one',
        }),
      },
      { additionalProperties: false },
    ),
  },
  { title: 'ChangeFeed', additionalProperties: false },
);

const CHANGES_DEFAULT_LIMIT = 100;

const ChangesQuery = Type.Object(
  {
    since: Type.Optional(
      Type.String({
        pattern: '^(\\d{1,15}|latest)$',
        description:
          'A `nextCursor` from an earlier page; `latest` starts from now; absent starts from the oldest change kept',
      }),
    ),
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1000,
        default: CHANGES_DEFAULT_LIMIT,
        description: 'Changes per page',
      }),
    ),
    wait: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_WAIT_SECONDS,
        default: 0,
        description: 'Seconds to hold the request while there is nothing new (long poll)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const changeComponents = [EventActorSchema, ChangeSchema];

/**
 * The change feed: every create, update, publication, unpublication and deletion in commit
 * order, tombstones included, so a consumer that keeps `nextCursor` misses nothing.
 */
export const changeRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { services }) => {
  const { events } = services;
  // A long poll must not hold the server's shutdown: closing answers the waiters at once.
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort());

  const waitForChange = (after: number, limit: number, seconds: number, signal: AbortSignal) =>
    new Promise<Change[]>((resolve, reject) => {
      const deadline = Date.now() + seconds * 1000;
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (outcome: () => void) => {
        settled = true;
        clearTimeout(timer);
        unsubscribe();
        signal.removeEventListener('abort', onAbort);
        outcome();
      };
      const look = async () => {
        let changes: Change[];
        try {
          changes = await events.changesAfter(after, limit);
        } catch (error) {
          if (!settled) settle(() => reject(error));
          return;
        }
        if (settled) return;
        if (changes.length > 0 || Date.now() >= deadline) return settle(() => resolve(changes));
        clearTimeout(timer);
        timer = setTimeout(look, Math.min(POLL_MS, deadline - Date.now()));
      };
      const onAbort = () => settle(() => resolve([]));
      const unsubscribe = events.onRecorded(look);
      signal.addEventListener('abort', onAbort);
      look();
    });

  app.get(
    '/changes',
    {
      schema: {
        operationId: 'listChanges',
        summary: 'The change feed',
        description:
          'Needs `content:read`. Every change in commit order — `article.created|updated|published|unpublished|deleted|restored`, `section.*`, `tag.*`, `comment.created|approved|deleted` — with deletions and unpublications as tombstones. Store `meta.nextCursor` and pass it as `since`: an empty page still returns one. `wait` (up to 30 s) holds the request until something changes.',
        tags: ['Changes'],
        security: requireScope('content:read'),
        querystring: ChangesQuery,
        response: { 200: ChangeFeedSchema, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      // Ajv fills the defaults in; the types cannot know that.
      const { since, limit = CHANGES_DEFAULT_LIMIT, wait = 0 } = request.query;
      const after = since === undefined ? 0 : since === 'latest' ? await events.latestSeq() : Number(since);
      let data = await events.changesAfter(after, limit);
      if (data.length === 0 && wait > 0) {
        const gone = new AbortController();
        reply.raw.once('close', () => gone.abort());
        data = await waitForChange(after, limit, wait, AbortSignal.any([closing.signal, gone.signal]));
      }
      reply.header('cache-control', 'no-store');
      return { data, meta: { nextCursor: String(data.at(-1)?.seq ?? after) } };
    },
  );
};
