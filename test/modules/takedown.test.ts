import t from 'tap';
import { buildTestApp } from '../helpers/app.js';
import { startReceiver } from '../helpers/receiver.js';
import { SITE } from '../helpers/syndication.js';

// A story must come down on a newsroom's worst day whatever else is configured: every write
// that changes an article, with and without SITE_URL, with and without a webhook that hears it.
for (const site of [undefined, SITE]) {
  for (const subscription of [undefined, ['article.*'], ['*']]) {
    const name = `SITE_URL ${site ? 'set' : 'unset'}, webhook ${subscription ? subscription.join() : 'none'}`;
    t.test(`every article write succeeds and takes effect: ${name}`, async (t) => {
      const receiver = await startReceiver(t);
      const { call, app } = await buildTestApp(t, { site });
      if (subscription) {
        await call('POST', '/v1/webhooks', { body: { url: receiver.url, events: subscription } });
      }
      await call('POST', '/v1/sections', { body: { name: 'World' } });
      const publicStatus = async (slug: string) =>
        (await call('GET', `/v1/articles/${slug}`, { key: null })).status;

      const created = await call('POST', '/v1/articles', {
        body: { title: 'Story', section: 'world', status: 'published', body: 'Text.' },
      });
      t.equal(created.status, 201, 'create');
      t.equal((await call('PATCH', '/v1/articles/story', { body: { title: 'Story, edited' } })).status, 200);
      t.equal(
        (await call('PATCH', '/v1/articles/story', { body: { status: 'draft' } })).status,
        200,
        'unpublish',
      );
      t.equal(await publicStatus('story'), 404, 'unpublished: gone for the public');
      t.equal((await call('PATCH', '/v1/articles/story', { body: { status: 'published' } })).status, 200);
      t.equal(
        (await call('PATCH', '/v1/articles/story', { body: { status: 'archived' } })).status,
        200,
        'archive',
      );
      t.equal(await publicStatus('story'), 404, 'archived: gone for the public');
      t.equal((await call('PATCH', '/v1/articles/story', { body: { status: 'published' } })).status, 200);
      t.equal(await publicStatus('story'), 200);
      t.equal((await call('DELETE', '/v1/articles/story')).status, 204, 'trash');
      t.equal(await publicStatus('story'), 404, 'trashed: gone for the public');
      t.equal((await call('POST', '/v1/articles/story/restore')).status, 200, 'restore');
      t.equal(await publicStatus('story'), 200, 'restored: public again');
      // Delivered while the article exists: a purge leaves only tombstones in the log (#4).
      await app.jobs.runOnce();
      const urls = receiver.received
        .map((delivery) => JSON.parse(delivery.body))
        .filter((payload) => payload.type.startsWith('article.'))
        .map((payload) => payload.data.url);
      t.equal(
        urls[0],
        subscription && site ? 'https://news.example.com/world/story' : undefined,
        'whole articles carry url',
      );
      t.equal((await call('DELETE', '/v1/articles/story?permanent=true')).status, 204, 'permanent delete');
      t.equal((await call('GET', `/v1/articles/${created.json.id}`)).status, 404, 'purged for keys too');

      await app.jobs.runOnce();
      if (!subscription) return t.equal(receiver.received.length, 0);
      const types = receiver.received
        .map((delivery) => JSON.parse(delivery.body).type)
        .filter((type) => type.startsWith('article.'));
      t.same(types, [
        'article.created',
        'article.published',
        'article.updated',
        'article.updated',
        'article.unpublished',
        'article.updated',
        'article.published',
        'article.updated',
        'article.unpublished',
        'article.updated',
        'article.published',
        'article.deleted',
        'article.restored',
        'article.published',
        'article.deleted',
      ]);
    });
  }
}
