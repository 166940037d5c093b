import t from 'tap';
import { openDatabaseOf } from '../../src/store.js';
import { ADMIN_KEY, buildTestApp, sharedStore } from '../helpers/app.js';
import { pngWithAlpha } from '../helpers/images.js';
import { postgresUrl } from '../helpers/postgres.js';
import { startReceiver } from '../helpers/receiver.js';
import { SITE, textsOf, xmlErrors } from '../helpers/syndication.js';

type Named = { id: number; slug: string; name: string; url?: string };
const slugs = (items: Named[]) => items.map((item) => item.slug);

t.test('author CRUD: profiles with a rendered bio; the newsroom sees email, the public never', async (t) => {
  const { call } = await buildTestApp(t, { site: SITE });
  const created = await call('POST', '/v1/authors', {
    body: {
      name: 'Ada Reporter',
      bio: 'Covers *security* <script>alert(1)</script>',
      jobTitle: 'Security correspondent',
      website: 'https://ada.example.org/',
      email: 'ada@example.com',
    },
  });
  t.equal(created.status, 201);
  t.equal(created.headers.location, `/v1/authors/${created.json.id}`);
  t.match(created.json, {
    slug: 'ada-reporter',
    name: 'Ada Reporter',
    jobTitle: 'Security correspondent',
    website: 'https://ada.example.org/',
    email: 'ada@example.com',
    articleCount: 0,
    url: 'https://news.example.com/author/ada-reporter',
  });
  t.match(created.json.bioHtml, /<em>security<\/em>/);
  t.notMatch(created.json.bioHtml, /<script/, 'raw HTML in a bio is escaped');
  t.equal(
    (await call('GET', '/v1/authors/ada-reporter', { key: null })).status,
    404,
    'no byline yet: not public',
  );

  await call('POST', '/v1/articles', { body: { title: 'Draft', authors: ['ada-reporter'] } });
  t.equal(
    (await call('GET', '/v1/authors/ada-reporter', { key: null })).status,
    404,
    'a draft byline: still not',
  );
  await call('POST', '/v1/articles', {
    body: { title: 'Live', authors: ['ada-reporter'], status: 'published' },
  });
  const publicView = await call('GET', '/v1/authors/ada-reporter', { key: null });
  t.equal(publicView.status, 200);
  t.equal(publicView.json.articleCount, 1, 'the public counts what it can read');
  t.notOk('email' in publicView.json, 'the public never sees an email');
  t.notOk(JSON.stringify((await call('GET', '/v1/authors', { key: null })).json).includes('ada@example.com'));
  t.equal((await call('GET', '/v1/authors/ada-reporter')).json.articleCount, 2, 'keys count drafts too');

  const patched = await call('PATCH', `/v1/authors/${created.json.id}`, {
    body: { name: 'Ada Q. Reporter', bio: null, email: null },
  });
  t.match(patched.json, {
    name: 'Ada Q. Reporter',
    bio: null,
    bioHtml: '',
    email: null,
    slug: 'ada-reporter',
  });
  t.equal(
    (await call('GET', '/v1/articles/live', { key: null })).json.byline,
    'Ada Q. Reporter',
    'bylines follow',
  );

  const taken = await call('POST', '/v1/authors', { body: { name: 'Someone', slug: 'ada-reporter' } });
  t.equal(taken.status, 409);
  const namesake = await call('POST', '/v1/authors', { body: { name: 'Ada Q. Reporter' } });
  t.equal(namesake.status, 201, 'two people may share a name');
  t.equal(namesake.json.slug, 'ada-q-reporter');
  t.equal((await call('POST', '/v1/authors', { body: { name: 'x', email: 'not-an-email' } })).status, 400);
  t.equal(
    (await call('POST', '/v1/authors', { body: { name: 'x', website: 'javascript:alert(1)' } })).status,
    400,
  );
});

t.test('deleting an author who has articles is a 409 saying how many', async (t) => {
  const { call } = await buildTestApp(t);
  await call('POST', '/v1/articles', { body: { title: 'One', authors: ['Bo Stringer'] } });
  const two = await call('POST', '/v1/articles', { body: { title: 'Two', authors: ['Bo Stringer'] } });
  await call('DELETE', `/v1/articles/${two.json.id}`);
  const refused = await call('DELETE', '/v1/authors/bo-stringer');
  t.equal(refused.status, 409);
  t.match(refused.json, { type: /author-has-articles$/, detail: /2 articles/, articleCount: 2 });
  await call('PATCH', '/v1/articles/one', { body: { authors: [] } });
  t.equal(
    (await call('DELETE', '/v1/authors/bo-stringer')).status,
    409,
    'the trashed article still names them',
  );
  t.equal((await call('DELETE', `/v1/articles/${two.json.id}?permanent=true`)).status, 204);
  t.equal((await call('DELETE', '/v1/authors/bo-stringer')).status, 204, 'free once no article names them');
  t.equal((await call('GET', '/v1/authors/bo-stringer')).status, 404);
});

t.test('bylines: several authors in order, by id, slug or name; names create authors', async (t) => {
  const { call } = await buildTestApp(t, { site: SITE });
  const ada = (await call('POST', '/v1/authors', { body: { name: 'Ada Reporter' } })).json;
  const created = await call('POST', '/v1/articles', {
    body: {
      title: 'Joint',
      authors: ['Bo Stringer', ada.id, 'ada-reporter', 'cy editor'],
      status: 'published',
    },
  });
  t.equal(created.status, 201);
  t.same(
    slugs(created.json.authors),
    ['bo-stringer', 'ada-reporter', 'cy-editor'],
    'order kept, duplicates dropped',
  );
  t.equal(created.json.byline, 'Bo Stringer, Ada Reporter and cy editor');
  t.equal(created.json.author, created.json.byline, 'the old field reads as the byline');
  t.equal(created.json.authors[1].url, 'https://news.example.com/author/ada-reporter');

  const two = await call('PATCH', '/v1/articles/joint', {
    body: { authors: ['ADA REPORTER', 'Bo Stringer'] },
  });
  t.same(slugs(two.json.authors), ['ada-reporter', 'bo-stringer'], 'names match ignoring case');
  t.equal(two.json.byline, 'Ada Reporter and Bo Stringer');
  t.equal(two.json.version, created.json.version + 1, 'a new byline is a new version');
  const same = await call('PATCH', '/v1/articles/joint', { body: { authors: [ada.id, 'bo-stringer'] } });
  t.equal(same.json.version, two.json.version, 'the same byline changes nothing');

  const legacy = await call('PATCH', '/v1/articles/joint', { body: { author: 'Dee Freelance' } });
  t.same(slugs(legacy.json.authors), ['dee-freelance'], '`author` is still one name');
  const cleared = await call('PATCH', '/v1/articles/joint', { body: { author: null } });
  t.same(cleared.json.authors, []);
  t.equal(cleared.json.byline, null);

  const unknownId = await call('POST', '/v1/articles', { body: { title: 'x', authors: [999] } });
  t.equal(unknownId.status, 422);
  t.match(unknownId.json.detail, /999/);
  const before = (await call('GET', '/v1/authors')).json.meta.total;
  await call('POST', '/v1/articles', { body: { title: 'x', authors: ['Nobody New', 999] } });
  t.equal((await call('GET', '/v1/authors')).json.meta.total, before, 'a refused write creates no author');
  const tooMany = Array.from({ length: 21 }, (_, i) => `Writer ${i}`);
  t.equal((await call('POST', '/v1/articles', { body: { title: 'x', authors: tooMany } })).status, 400);
});

t.test('?author= filters lists and search; an unknown author is a 400 naming it', async (t) => {
  const { call } = await buildTestApp(t);
  await call('POST', '/v1/articles', {
    body: {
      title: 'Harbour vote',
      body: 'The council voted.',
      authors: ['Ada Reporter'],
      status: 'published',
    },
  });
  await call('POST', '/v1/articles', {
    body: {
      title: 'Harbour strike',
      body: 'The council met.',
      authors: ['Bo Stringer'],
      status: 'published',
    },
  });
  await call('POST', '/v1/articles', { body: { title: 'Harbour draft', authors: ['Cy Drafts'] } });
  const listed = await call('GET', '/v1/articles?author=ada-reporter', { key: null });
  t.same(slugs(listed.json.data), ['harbour-vote']);
  const searched = await call('GET', '/v1/search?q=council&author=bo-stringer', { key: null });
  t.same(slugs(searched.json.data), ['harbour-strike']);
  const unknown = await call('GET', '/v1/articles?author=nobody', { key: null });
  t.equal(unknown.status, 400);
  t.match(unknown.json, { type: /unknown-author$/, detail: /nobody/ });
  t.equal(
    (await call('GET', '/v1/articles?author=cy-drafts', { key: null })).status,
    400,
    'an author only drafts carry is unknown to the public',
  );
  t.equal((await call('GET', '/v1/articles?author=cy-drafts')).json.data.length, 1, 'keys find them');
});

t.test('cached responses follow a rename: articles, lists and feeds that show the byline', async (t) => {
  const { call } = await buildTestApp(t, { site: SITE });
  await call('POST', '/v1/sections', { body: { name: 'World' } });
  await call('POST', '/v1/articles', {
    body: { title: 'Live', section: 'world', authors: ['Ada Reporter'], status: 'published' },
  });
  const urls = [
    '/v1/articles/live',
    '/v1/articles?section=world',
    '/v1/articles?author=ada-reporter',
    '/v1/authors',
    '/feeds/articles.json',
  ];
  const before = new Map<string, string>();
  for (const url of urls) {
    const response = await call('GET', url, { key: null });
    t.equal(response.status, 200, url);
    t.match(response.body, 'Ada Reporter', url);
    // Asked twice: the second answer comes from the response cache.
    t.equal((await call('GET', url, { key: null })).headers['x-cache'], 'HIT', `${url} is cached`);
    before.set(url, String(response.headers.etag));
  }
  await call('PATCH', '/v1/authors/ada-reporter', { body: { name: 'Ada Renamed' } });
  for (const url of urls) {
    const after = await call('GET', url, { key: null });
    t.match(after.body, 'Ada Renamed', `${url} shows the new name`);
    t.not(after.headers.etag, before.get(url), `${url} has a new validator`);
    const revalidated = await call('GET', url, {
      key: null,
      headers: { 'if-none-match': before.get(url) ?? '' },
    });
    t.equal(revalidated.status, 200, `${url}: no stale 304 after a rename`);
  }
});

t.test('feeds: every author in RSS, Atom and JSON Feed, and an author’s own feed', async (t) => {
  const { call } = await buildTestApp(t, { site: SITE });
  await call('POST', '/v1/articles', {
    body: {
      title: 'Joint',
      authors: ['Ada Reporter', 'Bo Stringer'],
      status: 'published',
      publishedAt: '2026-01-14T09:00:00.000Z',
    },
  });
  await call('POST', '/v1/articles', {
    body: {
      title: 'Solo',
      authors: ['Bo Stringer'],
      status: 'published',
      publishedAt: '2026-01-14T10:00:00.000Z',
    },
  });
  await call('POST', '/v1/articles', { body: { title: 'Nobody', status: 'published' } });

  const rss = await call('GET', '/feeds/articles.rss', { key: null });
  t.same(await xmlErrors(rss.body), []);
  t.same(textsOf(rss.body, 'dc:creator'), ['Bo Stringer', 'Ada Reporter', 'Bo Stringer']);
  const atom = await call('GET', '/feeds/articles.atom', { key: null });
  t.same(await xmlErrors(atom.body), []);
  t.match(
    atom.body,
    '<author><name>Ada Reporter</name><uri>https://news.example.com/author/ada-reporter</uri></author><author><name>Bo Stringer</name><uri>https://news.example.com/author/bo-stringer</uri></author>',
    'one <author> per author, in byline order',
  );
  const json = await call('GET', '/feeds/articles.json', { key: null });
  const joint = json.json.items.find((item: { title: string }) => item.title === 'Joint');
  t.same(joint.authors, [
    { name: 'Ada Reporter', url: 'https://news.example.com/author/ada-reporter' },
    { name: 'Bo Stringer', url: 'https://news.example.com/author/bo-stringer' },
  ]);
  t.notOk('authors' in json.json.items.find((item: { title: string }) => item.title === 'Nobody'));

  const own = await call('GET', '/feeds/articles.json?author=bo-stringer', { key: null });
  t.equal(own.status, 200);
  t.same(
    own.json.items.map((item: { title: string }) => item.title),
    ['Solo', 'Joint'],
  );
  t.equal(own.json.title, 'Example News: Bo Stringer');
  t.equal(own.json.home_page_url, 'https://news.example.com/author/bo-stringer');
  t.equal(own.json.feed_url, 'https://news.example.com/feeds/articles.json?author=bo-stringer');
  const ownRss = await call('GET', '/feeds/articles.rss?author=bo-stringer', { key: null });
  t.same(await xmlErrors(ownRss.body), []);
  t.equal((await call('GET', '/feeds/articles.rss?author=nobody', { key: null })).status, 404);
});

t.test('the authors sitemap lists authors of published articles, and the index points at it', async (t) => {
  const { call } = await buildTestApp(t, { site: SITE });
  await call('POST', '/v1/articles', {
    body: {
      title: 'Live',
      authors: ['Ada Reporter'],
      status: 'published',
      publishedAt: '2026-01-14T09:00:00.000Z',
    },
  });
  await call('POST', '/v1/articles', { body: { title: 'Draft', authors: ['Bo Drafts'] } });
  const index = await call('GET', '/sitemap.xml', { key: null });
  t.ok(textsOf(index.body, 'loc').includes('https://news.example.com/sitemaps/authors.xml'));
  const sitemap = await call('GET', '/sitemaps/authors.xml', { key: null });
  t.equal(sitemap.status, 200);
  t.same(await xmlErrors(sitemap.body, 'sitemap.xsd'), []);
  t.same(textsOf(sitemap.body, 'loc'), ['https://news.example.com/author/ada-reporter']);
  t.same(textsOf(sitemap.body, 'lastmod').length, 1);
});

t.test('a key linked to an author bylines what it creates, and revisions say who', async (t) => {
  const { call } = await buildTestApp(t);
  await call('POST', '/v1/authors', { body: { name: 'Ada Reporter' } });
  const key = await call('POST', '/v1/keys', {
    body: { name: 'ada laptop', scopes: ['content:write'], author: 'ada-reporter' },
  });
  t.equal(key.status, 201);
  t.match(key.json.author, { slug: 'ada-reporter', name: 'Ada Reporter' });
  t.match((await call('GET', `/v1/keys/${key.json.id}`)).json.author, { slug: 'ada-reporter' });
  const unknown = await call('POST', '/v1/keys', {
    body: { name: 'x', scopes: ['admin'], author: 'nobody' },
  });
  t.equal(unknown.status, 422);

  const mine = await call('POST', '/v1/articles', { body: { title: 'Mine' }, key: key.json.key });
  t.same(slugs(mine.json.authors), ['ada-reporter'], 'no authors given: the key’s author');
  const theirs = await call('POST', '/v1/articles', {
    body: { title: 'Theirs', authors: ['Bo Stringer'] },
    key: key.json.key,
  });
  t.same(slugs(theirs.json.authors), ['bo-stringer'], 'authors given win');
  const nobody = await call('POST', '/v1/articles', { body: { title: 'Plain' } });
  t.same(nobody.json.authors, [], 'a key with no author bylines nobody');

  await call('PATCH', '/v1/articles/mine', { body: { title: 'Mine, edited' } });
  const revisions = await call('GET', '/v1/articles/mine/revisions');
  t.equal(revisions.status, 200);
  const [edited, first] = revisions.json.data;
  t.match(edited.by, { keyId: null, keyName: 'BROADSHEET_ADMIN_KEY', author: null });
  t.match(first.by, { keyId: key.json.id, keyName: 'ada laptop', author: { slug: 'ada-reporter' } });
  t.same(first.snapshot.authors, [
    { id: mine.json.authors[0].id, slug: 'ada-reporter', name: 'Ada Reporter' },
  ]);
  t.same(
    edited.changes.map((change: { field: string }) => change.field),
    ['title'],
  );
  const one = await call('GET', '/v1/articles/mine/revisions/1');
  t.same(one.json.by, first.by);
});

t.test('restoring a revision brings its byline back', async (t) => {
  const { call } = await buildTestApp(t);
  await call('POST', '/v1/articles', { body: { title: 'Story', authors: ['Ada Reporter', 'Bo Stringer'] } });
  await call('PATCH', '/v1/articles/story', { body: { authors: ['Cy Editor'] } });
  const restored = await call('POST', '/v1/articles/story/revisions/1/restore');
  t.equal(restored.status, 200);
  t.same(slugs(restored.json.authors), ['ada-reporter', 'bo-stringer']);
});

t.test(
  'the change feed and webhook payloads say which key made a change, and for which author',
  async (t) => {
    const receiver = await startReceiver(t);
    const { call, app } = await buildTestApp(t);
    const hook = await call('POST', '/v1/webhooks', { body: { url: receiver.url, events: ['article.*'] } });
    await call('POST', '/v1/authors', { body: { name: 'Ada Reporter' } });
    const key = await call('POST', '/v1/keys', {
      body: { name: 'ada laptop', scopes: ['content:write'], author: 'ada-reporter' },
    });
    const start = (await call('GET', '/v1/changes?since=latest')).json.meta.nextCursor;
    const article = await call('POST', '/v1/articles', {
      body: { title: 'Filed', status: 'published' },
      key: key.json.key,
    });
    await call('PATCH', '/v1/articles/filed', { body: { title: 'Filed again' } });
    await call('POST', '/v1/sections', { body: { name: 'World' } });
    const changes = (await call('GET', `/v1/changes?since=${start}`)).json.data;
    const ada = {
      keyId: key.json.id,
      keyName: 'ada laptop',
      author: { id: article.json.authors[0].id, slug: 'ada-reporter', name: 'Ada Reporter' },
    };
    t.same(
      changes.map((change: { type: string; by: unknown }) => [change.type, change.by]),
      [
        ['article.created', ada],
        ['article.published', ada],
        ['article.updated', { keyId: null, keyName: 'BROADSHEET_ADMIN_KEY', author: null }],
        ['section.created', null],
      ],
      'who wrote each article change; sections have no actor recorded',
    );
    await app.jobs.runOnce();
    const payloads = receiver.verified(hook.json.secret).map((delivery) => delivery.payload);
    t.same(
      payloads.map((payload) => [payload.type, (payload as { by?: unknown }).by]),
      [
        ['article.created', ada],
        ['article.published', ada],
        ['article.updated', { keyId: null, keyName: 'BROADSHEET_ADMIN_KEY', author: null }],
      ],
    );
  },
);

t.test('Markdown front matter takes `authors` (or one `author`)', async (t) => {
  const { app } = await buildTestApp(t);
  const post = (text: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/articles',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'text/markdown' },
      payload: text,
    });
  const several = await post(
    '---\ntitle: Joint\nauthors:\n  - Ada Reporter\n  - Bo Stringer\n---\n\nText.\n',
  );
  t.equal(several.statusCode, 201);
  t.equal(several.json().byline, 'Ada Reporter and Bo Stringer');
  const one = await post('---\ntitle: Solo\nauthor: bo-stringer\n---\n\nText.\n');
  t.same(slugs(one.json().authors), ['bo-stringer'], 'an existing author by slug');
  const bad = await post('---\ntitle: Bad\nauthors: Ada Reporter\n---\n');
  t.equal(bad.statusCode, 400);
  t.match(bad.json().detail, /line 3/, 'a wrong shape names its line');
});

t.test('free-text bylines left in a store are adopted, on either store', async (t) => {
  const shared = sharedStore(t);
  const { call, app } = await buildTestApp(t, {}, shared);
  await call('POST', '/v1/articles', { body: { title: 'Old story', status: 'published' } });
  await call('POST', '/v1/articles', { body: { title: 'Older story', status: 'published' } });
  // What a database from before authors holds: the byline as text, and no author records.
  const db = await openDatabaseOf(
    { databaseFile: shared.config.databaseFile ?? '', postgresUrl: postgresUrl ?? undefined },
    { postgresSchema: shared.postgresSchema },
  );
  await db.write(() => db.query().update(db.tables.articles).set({ author: 'Olena Kovalenko' }));
  await db.close();
  t.equal(await app.services.authors.adoptLegacyBylines('2026-01-15T12:00:00.000Z'), 2);
  t.equal(await app.services.authors.adoptLegacyBylines('2026-01-15T12:00:00.000Z'), 0, 'once');
  const story = (await call('GET', '/v1/articles/old-story', { key: null })).json;
  t.same(slugs(story.authors), ['olena-kovalenko']);
  t.equal((await call('GET', '/v1/authors/olena-kovalenko', { key: null })).json.articleCount, 2);
});

t.test('an author’s avatar is an image from the library, kept from deletion while in use', async (t) => {
  const { call, app } = await buildTestApp(t);
  const photo = await app.inject({
    method: 'POST',
    url: '/v1/media',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'image/png' },
    payload: await pngWithAlpha(),
  });
  const image = photo.json();
  const ada = await call('POST', '/v1/authors', { body: { name: 'Ada Reporter', avatar: image.id } });
  t.equal(ada.status, 201);
  t.equal(ada.json.avatar, image.id);
  t.equal((await call('POST', '/v1/authors', { body: { name: 'X', avatar: 9999 } })).status, 422);
  await call('POST', '/v1/articles', {
    body: { title: 'Live', authors: ['ada-reporter'], status: 'published' },
  });
  t.equal((await call('GET', '/v1/authors/ada-reporter', { key: null })).json.avatar, image.id, 'public');
  const refused = await call('DELETE', `/v1/media/${image.id}`);
  t.equal(refused.status, 409);
  t.match(refused.json, { detail: /avatar of "ada-reporter"/, authors: [{ slug: 'ada-reporter' }] });
  t.equal((await call('PATCH', '/v1/authors/ada-reporter', { body: { avatar: null } })).json.avatar, null);
  t.equal((await call('DELETE', `/v1/media/${image.id}`)).status, 204);
});
