import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import t from 'tap';
import { buildTestApp } from '../helpers/app.js';
import { phonePhoto } from '../helpers/images.js';
import { mediaApp } from '../helpers/media-app.js';
import { SITE } from '../helpers/syndication.js';

// News formats machines read: IPTC ninjs 2.1 and schema.org NewsArticle, each checked with a
// JSON Schema 2020-12 validator (the official ninjs schema; Google's guidelines as a schema).

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
// ninjs points at GeoJSON's schema for places' geometry, which this API never writes (and the
// tests cannot download): an open stand-in under its id.
ajv.addSchema({ $id: 'https://geojson.org/schema/GeoJSON.json', type: 'object' });
const validNinjs = ajv.compile(fixture('ninjs-schema_2.1.json'));
const validNewsArticle = ajv.compile(fixture('news-article.schema.json'));
const errorsOf = (validate: typeof validNinjs, value: unknown) =>
  validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);

t.test('ninjs 2.1: a published article with its people, subjects and picture, valid', async (t) => {
  const { upload, call } = await mediaApp(t, {}, { site: SITE });
  const image = (
    await upload(
      { data: await phonePhoto(1600, 1200), filename: 'quay.jpg', type: 'image/jpeg' },
      { alt: 'The quay', caption: 'Morning', credit: 'Photo: Ada Reporter' },
    )
  ).json();
  await call('POST', '/v1/sections', { body: { name: 'World' } });
  await call('POST', '/v1/articles', {
    body: {
      title: 'Harbour reopens',
      subtitle: 'After two years',
      body: `The **harbour** reopened.\n\n![](media:${image.id})`,
      status: 'published',
      section: 'world',
      tags: ['Port', 'Council'],
      authors: ['Ada Reporter', 'Bo Stringer'],
      featuredImage: image.id,
    },
  });
  const response = await call('GET', '/v1/articles/harbour-reopens/ninjs', { key: null });
  t.equal(response.status, 200);
  const ninjs = response.json;
  t.same(errorsOf(validNinjs, ninjs), [], 'valid against the official ninjs 2.1 schema');
  t.not(
    errorsOf(validNinjs, { ...ninjs, pubstatus: 'live' }).length,
    0,
    'which refuses what ninjs does not allow',
  );
  t.match(ninjs, {
    uri: 'tag:news.example.com,2026-01-15:articles/1',
    standard: { name: 'ninjs', version: '2.1' },
    type: 'text',
    pubstatus: 'usable',
    language: 'en-GB',
    slugline: 'harbour-reopens',
    headlines: [
      { role: 'main', value: 'Harbour reopens' },
      { role: 'sub', value: 'After two years' },
    ],
    by: 'Ada Reporter and Bo Stringer',
    people: [
      { name: 'Ada Reporter', rel: 'author', uri: 'https://news.example.com/author/ada-reporter' },
      { name: 'Bo Stringer', rel: 'author' },
    ],
    subjects: [
      { name: 'World', rel: 'section', uri: 'https://news.example.com/world' },
      { name: 'Port', rel: 'tag' },
      { name: 'Council', rel: 'tag' },
    ],
    bodies: [
      { role: 'main', contenttype: 'text/html', wordcount: 3, charcount: 'The harbour reopened.'.length },
    ],
    associations: [{ name: 'featureimage', type: 'picture', uri: image.url, by: 'Photo: Ada Reporter' }],
  });
  t.match(ninjs.bodies[0].value, '<figure class="media"', 'the body as the article shows it');
  t.equal(
    ninjs.associations[0].renditions.length,
    1 + image.renditions.length + image.crops.length,
    'every rendition and crop',
  );
  t.notMatch(JSON.stringify(ninjs), '@', 'no email anywhere');
  t.match(response.headers['surrogate-key'], `media-${image.id}`);
});

t.test('ninjs pubstatus follows the article; the public reads only what is published', async (t) => {
  const { call, clock } = await buildTestApp(t);
  await call('POST', '/v1/articles', { body: { title: 'Draft' } });
  await call('POST', '/v1/articles', {
    body: { title: 'Later', status: 'scheduled', publishedAt: '2026-01-16T09:00:00.000Z' },
  });
  await call('POST', '/v1/articles', { body: { title: 'Gone', status: 'published' } });
  await call('POST', '/v1/articles', {
    body: { title: 'Brief', status: 'published', expiresAt: '2026-01-15T12:30:00.000Z' },
  });
  await call('DELETE', '/v1/articles/gone');
  const draft = (await call('GET', '/v1/articles/draft/ninjs')).json;
  t.same(errorsOf(validNinjs, draft), []);
  t.match(draft, { pubstatus: 'withheld', uri: 'urn:broadsheet:article:1' });
  t.notOk('embargoed' in draft);
  const later = (await call('GET', '/v1/articles/later/ninjs')).json;
  t.match(later, { pubstatus: 'withheld', embargoed: '2026-01-16T09:00:00.000Z' });
  t.same(errorsOf(validNinjs, later), []);
  t.match((await call('GET', '/v1/articles/gone/ninjs')).json, { pubstatus: 'canceled' });
  for (const slug of ['draft', 'later', 'gone']) {
    t.equal(
      (await call('GET', `/v1/articles/${slug}/ninjs`, { key: null })).status,
      404,
      `${slug}: not public`,
    );
  }
  clock.set('2026-01-16T09:00:00.000Z');
  const live = await call('GET', '/v1/articles/later/ninjs', { key: null });
  t.match(live.json, { pubstatus: 'usable' }, 'usable at its instant');
  t.notOk('embargoed' in live.json);
  const brief = (await call('GET', '/v1/articles/brief/ninjs')).json;
  t.match(brief, { pubstatus: 'withheld', expires: '2026-01-15T12:30:00.000Z' }, 'expired: withheld');
  t.same(errorsOf(validNinjs, brief), []);
  t.equal((await call('GET', '/v1/articles/brief/ninjs', { key: null })).status, 404);
});

t.test(
  'structuredData: a NewsArticle as Google asks, with crops, publisher logo and corrections',
  async (t) => {
    const { upload, call } = await mediaApp(
      t,
      {},
      { site: { ...SITE, logoUrl: 'https://news.example.com/logo.png' } },
    );
    const image = (
      await upload(
        { data: await phonePhoto(3000, 2000), filename: 'quay.jpg', type: 'image/jpeg' },
        { alt: 'Quay' },
      )
    ).json();
    await call('POST', '/v1/articles', {
      body: {
        title: 'Harbour reopens',
        status: 'published',
        section: null,
        tags: ['Port'],
        authors: ['Ada Reporter'],
        featuredImage: image.id,
        body: 'The harbour reopened today.',
      },
    });
    await call('POST', '/v1/articles/harbour-reopens/corrections', {
      body: { kind: 'correction', text: 'An earlier version gave the wrong *date*.' },
    });
    const article = (await call('GET', '/v1/articles/harbour-reopens', { key: null })).json;
    const data = article.structuredData;
    t.same(errorsOf(validNewsArticle, data), [], 'valid against the guidelines’ schema');
    t.not(
      errorsOf(validNewsArticle, { ...data, author: [{ '@type': 'Person', name: 'X' }] }).length,
      0,
      'which wants author URLs',
    );
    t.match(data, {
      '@type': 'NewsArticle',
      headline: 'Harbour reopens',
      url: article.url,
      mainEntityOfPage: { '@id': article.url },
      datePublished: article.publishedAt,
      dateModified: article.updatedAt,
      author: [
        { '@type': 'Person', name: 'Ada Reporter', url: 'https://news.example.com/author/ada-reporter' },
      ],
      publisher: {
        name: 'Example News',
        url: 'https://news.example.com/',
        logo: { url: 'https://news.example.com/logo.png' },
      },
      keywords: ['Port'],
      correction: [{ '@type': 'CorrectionComment', text: 'An earlier version gave the wrong date.' }],
    });
    const crop = (aspect: string, width: number) =>
      image.crops.find((c: { aspect: string; width: number }) => c.aspect === aspect && c.width === width)
        ?.url;
    t.same(
      data.image,
      [crop('1:1', 1280), crop('4:3', 1280), crop('16:9', 1280)],
      'a crop per aspect, 1,200 px or wider',
    );

    const plain = await buildTestApp(t);
    await plain.call('POST', '/v1/articles', { body: { title: 'No site', status: 'published' } });
    t.notOk(
      'structuredData' in (await plain.call('GET', '/v1/articles/no-site')).json,
      'none without SITE_URL',
    );
  },
);
