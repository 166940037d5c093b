import t from 'tap';
import type { Audience } from '../../src/modules/articles/visibility.js';
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
    await step('no articles', () => tags.forArticles([1, 2]));
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
