import t from 'tap';
import { renderMarkdown } from '../../src/lib/markdown.js';
import { parseSearch } from '../../src/lib/search-query.js';
import type { ListRequest, ListResult } from '../../src/modules/articles/listing.js';
import type { ArticleCreate } from '../../src/modules/articles/schemas.js';
import type { Audience } from '../../src/modules/articles/visibility.js';
import type { Submission } from '../../src/modules/comments/repository.js';
import type { Claim } from '../../src/modules/webhooks/repository.js';
import type { WebhookAttempt } from '../../src/modules/webhooks/schemas.js';
import { PARITY_NOW, sameOnBothStores } from '../helpers/parity.js';
import { needsPostgres } from '../helpers/postgres.js';

// The PostgreSQL repositories against the SQLite ones, call for call: same values, same errors.
const at = PARITY_NOW.toISOString();
const admin: Audience = { seesUnpublished: true, now: at };
const reader: Audience = { seesUnpublished: false, now: at };

t.test('sections answer the same on both stores', { skip: needsPostgres }, (t) =>
  sameOnBothStores(t, async ({ sections }, step) => {
    await step('create', () => sections.create({ name: 'World' }, admin));
    await step('a name taken, ignoring case', () => sections.create({ name: 'WORLD' }, admin));
    await step('a derived slug gets a suffix', () =>
      sections.create({ name: 'World!', slug: undefined }, admin),
    );
    await step('a given slug taken', () => sections.create({ name: 'Other', slug: 'world' }, admin));
    await step('a child', () => sections.create({ name: 'Europe', parentId: 1, position: 2 }, admin));
    await step('a grandchild', () => sections.create({ name: 'Ukraine', parentId: 3 }, admin));
    await step('an unknown parent', () => sections.create({ name: 'Lost', parentId: 99 }, admin));
    await step('a cycle', () => sections.update('world', { parentId: 4 }, admin));
    await step('rename', () =>
      sections.update('europe', { name: 'Europe and Asia', slug: 'europe-asia' }, admin),
    );
    await step('by slug, as a reader', () => sections.get('europe-asia', reader));
    await step('unknown', () => sections.get('nowhere', admin));
    await step('resolve by name', () => sections.resolve('eUROPE AND asia'));
    await step('resolve by id', () => sections.resolve(4));
    await step('descendants', async () => (await sections.withDescendants(1)).sort());
    for (const sort of [
      [{ field: 'name' as const, descending: false }],
      [{ field: 'position' as const, descending: true }],
    ]) {
      await step(`list by ${sort[0]?.field}`, () => sections.list({ page: 1, perPage: 10, sort }, admin));
    }
    await step('top level', () => sections.list({ page: 1, perPage: 1, sort: [], parentId: null }, reader));
    await step('children of 1', () => sections.list({ page: 1, perPage: 10, sort: [], parentId: 1 }, reader));
    await step('import source', async () => {
      await sections.adopt(2, 'wp:category:7');
      return sections.idOfSource('wp:category:7');
    });
    await step('delete a parent', () => sections.delete('world', admin));
    await step('delete a leaf', () => sections.delete('ukraine', admin));
    await step('gone', () => sections.find('ukraine', admin));
  }),
);

t.test('tags answer the same on both stores', { skip: needsPostgres }, (t) =>
  sameOnBothStores(t, async ({ tags }, step) => {
    await step('create', () => tags.create({ name: 'Ukraine', description: 'The war' }, admin));
    await step('a name taken', () => tags.create({ name: 'ukraine' }, admin));
    await step('a slug suffix', () => tags.create({ name: 'Ukraine?' }, admin));
    await step('a given slug', () => tags.create({ name: 'EU', slug: 'european-union' }, admin));
    await step('resolve or create', () =>
      tags.resolveOrCreate(['ukraine', 'European Union', 'Kyiv', 1, 'kyiv'], at),
    );
    await step('an unknown id', () => tags.resolveOrCreate([99], at));
    await step('hidden from readers while no article carries it', () => tags.find('ukraine', reader));
    await step('idOf', () => tags.idOf('kyiv', admin));
    for (const field of ['name', 'createdAt', 'articleCount'] as const) {
      await step(`list by ${field}`, () =>
        tags.list({ page: 1, perPage: 3, sort: [{ field, descending: field !== 'name' }] }, admin),
      );
    }
    await step('the public list', () => tags.list({ page: 1, perPage: 10, sort: [] }, reader));
    await step('update', () => tags.update('kyiv', { name: 'Kyiv city', slug: 'kyiv-city' }, admin));
    await step('rename onto another', () => tags.update('kyiv-city', { name: 'EU' }, admin));
    await step('carriers', () => tags.carriers(1));
    await step('delete', () => tags.delete('kyiv-city', admin));
    await step('delete again', () => tags.delete('kyiv-city', admin));
  }),
);

t.test(
  'events, cache keys, keys, idempotency and rate limits answer the same',
  { skip: needsPostgres },
  (t) =>
    sameOnBothStores(t, async (store, step) => {
      await store.sections.create({ name: 'World' }, admin);
      await store.tags.create({ name: 'Kyiv' }, admin);
      await step('the change feed', () => store.events.changesAfter(0, 10));
      await step('after one', () => store.events.changesAfter(1, 10));
      await step('latest', () => store.events.latestSeq());
      await step('cache key versions', () =>
        store.contentState.versionsOf(['sections', 'section:1', 'nothing']),
      );
      await step('content state', async () => {
        const { changedAt, publicChangedAt, ...state } = await store.contentState.read(at);
        return { ...state, changed: changedAt === at, publicChanged: publicChangedAt === at };
      });
      await step('a key', async () => {
        const { key, ...created } = await store.keys.create('robot', ['content:read', 'content:read']);
        const found = await store.keys.authenticate(key);
        // The prefix is random: it only has to be the key's.
        return { created: { ...created, prefix: key.startsWith(created.prefix) }, found: found?.id };
      });
      await step('keys listed', async () => {
        const { items, total } = await store.keys.list(1, 10);
        return { items: items.map(({ prefix, ...item }) => item), total };
      });
      await step('revoke', () => store.keys.revoke(1));
      await step('revoke again', () => store.keys.revoke(1));
      await step('unknown key', () => store.keys.authenticate('nope'));
      await step('idempotency: first', () => store.idempotency.begin('client', 'k1', 'hash', at));
      await step('idempotency: in flight', () => store.idempotency.begin('client', 'k1', 'hash', at));
      await step('idempotency: another request', () => store.idempotency.begin('client', 'k1', 'other', at));
      await step('idempotency: replay', async () => {
        await store.idempotency.complete('client', 'k1', {
          status: 201,
          body: '{}',
          headers: { etag: '"x"' },
        });
        return store.idempotency.begin('client', 'k1', 'hash', at);
      });
      await step('rate limit', async () => [
        await store.rateLimits.hit('comments:1.2.3.4', 60_000, PARITY_NOW.getTime()),
        await store.rateLimits.hit('comments:1.2.3.4', 60_000, PARITY_NOW.getTime() + 1000),
        await store.rateLimits.expire(PARITY_NOW.getTime() + 120_000),
      ]);
    }),
);

const editor = { audience: admin, actor: { keyId: null, keyName: 'editor', authorId: null } };
const article = (title: string, extra: Partial<ArticleCreate> = {}): ArticleCreate => ({
  title,
  body: `## ${title}\n\nA story about Kyiv and the *war* — with “quotes”.`,
  ...extra,
});
const rendered = (input: { body?: string }) => renderMarkdown(input.body ?? '');
const searchFor = (q: string) => ({ ...parseSearch(q), highlightTag: 'mark' });
const list = (overrides: Partial<ListRequest>): ListRequest => ({
  perPage: 2,
  sort: [{ field: 'publishedAt', descending: true }],
  filters: {},
  include: {},
  ...overrides,
});
// Relevance scores are each store's own measure (bm25, ts_rank): the order must agree, not the numbers.
const withoutScores = ({ items, total, next }: ListResult) => ({
  items: items.map(({ score, ...item }) => ({ ...item, scored: typeof score === 'number' })),
  total,
  next: next?.id,
});

t.test('articles answer the same on both stores', { skip: needsPostgres }, (t) =>
  sameOnBothStores(t, async ({ articles, sections, tags, events }, step) => {
    await sections.create({ name: 'World' }, admin);
    const create = (input: ArticleCreate) => articles.create(input, editor, rendered(input));
    await step('create published', () =>
      create(
        article('Kyiv under fire', { section: 'world', tags: ['Ukraine', 'Kyiv'], status: 'published' }),
      ),
    );
    await step('create a draft', () => create(article('Draft on Kyiv', { tags: ['kyiv'], excerpt: 'Soon' })));
    await step('create scheduled', () =>
      create(
        article('Later', { status: 'scheduled', publishedAt: '2026-02-01T09:00:00Z', section: 'World' }),
      ),
    );
    await step('a slug taken', () => create(article('Other', { slug: 'kyiv-under-fire' })));
    await step('a derived slug suffixed', () =>
      create(article('Kyiv under fire!', { status: 'published', publishedAt: '2026-01-10T00:00:00Z' })),
    );
    await step('an unknown section', () => create(article('Lost', { section: 'nowhere' })));
    await step('in the past, scheduled', () =>
      create(article('Past', { status: 'scheduled', publishedAt: '2025-01-01T00:00:00Z' })),
    );
    await step('a reader reads the published one', () => articles.get('kyiv-under-fire', reader));
    await step('a reader misses the draft', () => articles.find(2, reader));
    await step('a reader misses the scheduled one', () => articles.find('later', reader));
    await step('an editor reads it without bodies', () => articles.get(3, admin, {}));
    await step('validators', async () => [
      await articles.validatorBasis('kyiv-under-fire', reader),
      await articles.validatorBasis(2, reader),
    ]);
    const change = { title: 'Kyiv under fire, again', tags: ['Kyiv', 'Europe'], body: 'New *body*' };
    await step('update', () =>
      articles.update(1, change, { ...editor, expectedVersion: 1 }, rendered(change)),
    );
    await step('a stale version', () =>
      articles.update(1, { title: 'x' }, { ...editor, expectedVersion: 1 }),
    );
    await step('no change', () => articles.update(1, { title: 'Kyiv under fire, again' }, editor));
    await step('slug change', () => articles.update(2, { slug: 'kyiv-draft', status: 'published' }, editor));
    for (const [label, request] of [
      ['newest first', list({})],
      ['page 2', list({ page: 2 })],
      [
        'by title, with bodies',
        list({ sort: [{ field: 'title', descending: false }], include: { body: true, toc: true } }),
      ],
      ['a tag', list({ filters: { anyTagIds: [2] } })],
      ['a section, drafts too', list({ filters: { sectionIds: [1] }, perPage: 10 })],
      ['scheduled', list({ filters: { status: 'scheduled' } })],
      ['after a cursor', list({ after: { values: ['2026-01-10T00:00:00.000Z'], id: 4 } })],
    ] as const) {
      await step(`list: ${label}`, () => articles.list(request, admin));
    }
    await step('the public list', () => articles.list(list({ perPage: 10 }), reader));
    for (const q of ['kyiv', 'kyiv -draft', '"under fire"', 'fir*', 'war OR body']) {
      await step(`search ${q}`, async () =>
        withoutScores(
          await articles.list(
            list({ search: searchFor(q), sort: [{ field: 'relevance', descending: false }] }),
            admin,
          ),
        ),
      );
    }
    await step('revisions', () => articles.listRevisions('kyiv-under-fire-again', admin, 1, 10));
    await step('revision 1', () => articles.getRevision('kyiv-under-fire-again', admin, 1));
    await step('restore revision 1', async () => {
      const old = await articles.getRevision('1', admin, 1);
      return articles.restore('1', 1, editor, rendered(old.snapshot));
    });
    await step('trash', () => articles.trash(1, editor));
    await step('trash again', () => articles.trash(1, editor));
    await step('edit in the trash', () => articles.update(1, { title: 'x' }, editor));
    await step('restore from the trash', () => articles.restoreFromTrash(1, editor));
    await step('delete a tag', async () => {
      await articles.deleteTag('kyiv', editor);
      return tags.list({ page: 1, perPage: 10, sort: [] }, admin);
    });
    await step('purge', () => articles.purge(4, editor));
    await step('nothing due yet', () => articles.announceDue(at));
    await step('next instant', () => articles.nextScheduledInstant(at));
    await step('due', () => articles.announceDue('2026-02-01T09:00:00.000Z'));
    await step('the trash purged', () => articles.purgeTrashedBefore('2027-01-01T00:00:00.000Z'));
    await step('the change feed', () => events.changesAfter(0, 100));
  }),
);

t.test('comments answer the same on both stores', { skip: needsPostgres }, (t) =>
  sameOnBothStores(t, async ({ articles, comments }, step) => {
    const input = article('Open thread', { status: 'published' });
    await articles.create(input, editor, rendered(input));
    const submit = (body: string, extra: Partial<Submission> & { parentId?: number } = {}) =>
      comments.submit({
        articleId: 1,
        commentsEnabled: true,
        input: { authorName: ' Reader ', authorEmail: 'r@example.com', body, parentId: extra.parentId },
        clientHash: 'client-1',
        status: 'pending',
        at,
        ...extra,
      });
    await step('submit', () => submit('First!'));
    await step('the same again', () => submit('First!'));
    await step('comments closed', () => submit('Hello', { commentsEnabled: false }));
    await step('a reply to a pending comment', () => submit('Reply', { parentId: 1 }));
    await step('approve', () => comments.update(1, { status: 'approved' }, admin));
    await step('a reply', () => submit('Reply', { parentId: 1 }));
    await step('a moderator reply, approved', () =>
      submit('Thanks', { parentId: 2, status: 'approved', clientHash: 'staff' }),
    );
    await step('the thread', () => comments.thread(1, 1, 10));
    await step('the queue', () => comments.queue({ page: 1, perPage: 10 }, admin));
    await step('pending only', () => comments.queue({ status: 'pending', page: 1, perPage: 10 }, admin));
    await step('delete one with replies', () => comments.delete(1, admin));
    await step('edit a tombstone', () => comments.update(1, { body: 'x' }, admin));
    await step('the thread after', () => comments.thread(1, 1, 10));
    await step('delete a leaf', () => comments.delete(3, admin));
    await step('gone', () => comments.find(3));
    const archived = (body: string) =>
      comments.importComment({
        articleId: 1,
        parentId: 2,
        authorName: 'Old',
        authorEmail: '',
        body,
        status: 'approved',
        at,
        sourceId: 'wp:comment:9',
      });
    await step('an archive comment: created, unchanged, updated', async () => [
      await archived('From WordPress'),
      await archived('From WordPress'),
      await archived('Edited'),
      await comments.idOfSource('wp:comment:9'),
    ]);
    await step(
      'the article counts approved comments',
      async () => (await articles.get(1, reader)).commentCount,
    );
  }),
);

t.test('webhooks and sitemaps answer the same on both stores', { skip: needsPostgres }, (t) =>
  sameOnBothStores(t, async ({ articles, webhooks, syndication }, step) => {
    await step('create', () =>
      webhooks.create({ url: 'https://hooks.example.com/a', events: ['article.*'] }, 'whsec_one', at),
    );
    await webhooks.create({ url: 'https://hooks.example.com/b', events: ['*'] }, 'whsec_two', at);
    const input = article('Hooked', { status: 'published', section: undefined, tags: ['Kyiv'] });
    await articles.create(input, editor, rendered(input));
    const second = article('Hooked again', { status: 'published', publishedAt: '2026-01-14T00:00:00Z' });
    await articles.create(second, editor, rendered(second));
    await step('list', () => webhooks.list(1, 10));
    await step('next due', () => webhooks.nextDue(at));
    // Claims carry the event's id, random per store: compare what was taken.
    const taken = (claims: Claim[]) =>
      claims.map(({ eventId, data, ...claim }) => ({ ...claim, hasData: data !== null }));
    const claims = await webhooks.claimDue(at, new Set(), 10);
    await step('one claim per endpoint', async () => taken(claims));
    await step('nothing left for a busy endpoint', async () =>
      taken(await webhooks.claimDue(at, new Set([1, 2]), 10)),
    );
    await step('claimed ones wait', async () => taken(await webhooks.claimDue(at, new Set(), 10)));
    const [first, other] = claims as [Claim, Claim];
    const delivered = { status: 204, durationMs: 12, error: null };
    const gone = { status: 410, durationMs: 5, error: null };
    const strip = ({ eventId, ...attempt }: WebhookAttempt) => attempt;
    await step('delivered', async () => strip(await webhooks.finish(first, delivered, at, [60_000])));
    await step('gone disables', async () => strip(await webhooks.finish(other, gone, at, [60_000])));
    await step('the endpoint disabled', async () => {
      const { disabledReason, ...rest } = await webhooks.get(other.webhookId);
      return { ...rest, disabled: disabledReason?.startsWith('The endpoint answered 410 Gone') };
    });
    await step('a ping', async () => taken([await webhooks.claimPing(1, at)]));
    await step('attempts', async () => {
      const { items, total } = await webhooks.attempts(1, 1, 10);
      return { items: items.map(strip), total };
    });
    await step('enable again', () => webhooks.update(other.webhookId, { active: true }, at));
    await step('delete', () => webhooks.delete(2));
    await step('unknown', () => webhooks.get(2));
    await step('published count', () => syndication.countPublished(at));
    await step('a sitemap page', () => syndication.articlePage(at, 0, 10));
    await step('news', () => syndication.publishedSince('2026-01-14T12:00:00.000Z', at, 10));
    await step('sections', () => syndication.sections(at));
    await step('tags in use', () => syndication.tagsInUse(at));
  }),
);
