import t from 'tap';
import { phonePhoto } from '../helpers/images.js';
import { mediaApp } from '../helpers/media-app.js';
import { SITE, xmlErrors } from '../helpers/syndication.js';

// Images in stories: the featured image, images in bodies (`![alt](media:ID)`), and what feeds
// and caches make of them.

type Rendition = { format: string; width: number; height: number; url: string };

t.test(
  'an image alone in a paragraph is a figure: sources for each format, every width, its caption and credit',
  async (t) => {
    const { upload, call } = await mediaApp(t);
    const image = (
      await upload(
        { data: await phonePhoto(1600, 1200), filename: 'quay.jpg', type: 'image/jpeg' },
        { alt: 'The quay', caption: 'Boats <b>at</b> dawn', credit: 'Photo: Ada & Bo' },
      )
    ).json();
    const body = [
      'Before.',
      '',
      `![](media:${image.id})`,
      '',
      `![Nets drying](media:${image.id} "Nets on the wall")`,
      '',
      `Text with ![an inline one](media:${image.id}) inside.`,
    ].join('\n');
    const created = await call('POST', '/v1/articles', {
      body: { title: 'Quay', body, status: 'published' },
    });
    t.equal(created.status, 201, created.body);
    const html: string = created.json.bodyHtml;
    const srcset = (format: string) =>
      image.renditions
        .filter((r: Rendition) => r.format === format)
        .map((r: Rendition) => `${r.url} ${r.width}w`)
        .join(', ');
    const jpeg = image.renditions.find((r: Rendition) => r.format === 'jpg' && r.width === 960);
    const sizes = '(max-width: 960px) 100vw, 960px';
    const picture = (alt: string) =>
      `<picture><source type="image/avif" srcset="${srcset('avif')}" sizes="${sizes}"><source type="image/webp" srcset="${srcset('webp')}" sizes="${sizes}"><img src="${jpeg.url}" srcset="${srcset('jpg')}" sizes="${sizes}" width="960" height="1280" alt="${alt}" loading="lazy" decoding="async"></picture>`;
    t.equal(
      html,
      [
        '<p>Before.</p>',
        `<figure class="media" data-media-id="${image.id}">${picture('The quay')}<figcaption>Boats &lt;b&gt;at&lt;/b&gt; dawn <small class="credit">Photo: Ada &amp; Bo</small></figcaption></figure>`,
        `<figure class="media" data-media-id="${image.id}">${picture('Nets drying')}<figcaption>Nets on the wall <small class="credit">Photo: Ada &amp; Bo</small></figcaption></figure>`,
        `<p>Text with ${picture('an inline one').replace('<picture>', `<picture class="media" data-media-id="${image.id}">`)} inside.</p>`,
        '',
      ].join('\n'),
      'the image’s alt text unless the story gives one; the story’s title over the image’s caption',
    );
    t.equal(created.json.wordCount, 9, 'alt text counts as words, as before');
    const read = await call('GET', '/v1/articles/quay', { key: null });
    t.equal(read.json.bodyHtml, html, 'the public reads the same');
    t.match(read.headers['surrogate-key'], `media-${image.id}`);
  },
);

t.test(
  'images in bodies: unknown ones refused, shown ones kept from deletion, edits reach cached articles',
  async (t) => {
    const { upload, call } = await mediaApp(t);
    const image = (
      await upload(
        { data: await phonePhoto(1600, 1200), filename: 'quay.jpg', type: 'image/jpeg' },
        { alt: 'The quay', caption: 'First light' },
      )
    ).json();
    const refused = await call('POST', '/v1/articles', {
      body: { title: 'Nowhere', body: `![a](media:${image.id})\n\n![b](media:9998) ![c](media:9999)` },
    });
    t.equal(refused.status, 422);
    t.match(refused.json, {
      type: /unknown-media$/,
      detail: /media:9998, media:9999/,
      missing: [9998, 9999],
    });
    t.equal((await call('GET', '/v1/articles')).json.meta.total, 0, 'nothing half-written');

    const body = `Intro.\n\n![](media:${image.id})`;
    t.equal(
      (await call('POST', '/v1/articles', { body: { title: 'Quay', body, status: 'published' } })).status,
      201,
    );
    const first = await call('GET', '/v1/articles/quay', { key: null });
    t.equal((await call('GET', '/v1/articles/quay', { key: null })).headers['x-cache'], 'HIT');
    t.match(first.body, 'First light');

    await call('PATCH', `/v1/media/${image.id}`, {
      body: { caption: 'Last light', focalPoint: { x: 0.1, y: 0.9 } },
    });
    const edited = (await call('GET', `/v1/media/${image.id}`)).json;
    const after = await call('GET', '/v1/articles/quay', { key: null });
    t.match(after.body, 'Last light', 'the new caption, from the cache too');
    t.match(after.json.bodyHtml, edited.renditions[0].url, 'the new rendition URLs (the focal point moved)');
    t.not(after.headers.etag, first.headers.etag, 'a new validator');
    const stale = await call('GET', '/v1/articles/quay', {
      key: null,
      headers: { 'if-none-match': String(first.headers.etag) },
    });
    t.equal(stale.status, 200, 'the old validator no longer matches');

    const inUse = await call('DELETE', `/v1/media/${image.id}`);
    t.equal(inUse.status, 409);
    t.match(inUse.json, { type: /media-in-use$/, detail: /shown by "quay"/, articles: [{ slug: 'quay' }] });
    await call('PATCH', '/v1/articles/quay', { body: { body: 'Intro only.' } });
    t.equal((await call('DELETE', `/v1/media/${image.id}`)).status, 204, 'free once no body shows it');
    const restored = await call('POST', '/v1/articles/quay/revisions/1/restore');
    t.equal(restored.status, 422, 'a revision showing a deleted image cannot come back');
    t.match(restored.json, { type: /unknown-media$/ });
  },
);

t.test('feeds carry bodies with their images resolved, and follow edits to them', async (t) => {
  const { upload, call } = await mediaApp(t, {}, { site: SITE });
  const image = (
    await upload(
      { data: await phonePhoto(800, 600), filename: 'quay.jpg', type: 'image/jpeg' },
      { alt: 'The quay', credit: 'Photo: Ada Reporter' },
    )
  ).json();
  await call('POST', '/v1/articles', {
    body: { title: 'Quay', body: `![](media:${image.id})`, status: 'published' },
  });
  const rss = await call('GET', '/feeds/articles.rss', { key: null });
  t.same(await xmlErrors(rss.body), []);
  t.match(rss.body, `&lt;figure class=&quot;media&quot; data-media-id=&quot;${image.id}&quot;&gt;`);
  const json = await call('GET', '/feeds/articles.json', { key: null });
  t.match(json.json.items[0].content_html, `<figure class="media" data-media-id="${image.id}">`);
  t.match(json.json.items[0].content_html, `${image.renditions[0].url} 320w`, 'absolute URLs under the site');
  t.match(rss.headers['surrogate-key'], `media-${image.id}`);
  await call('PATCH', `/v1/media/${image.id}`, { body: { credit: 'Photo: Bo Stringer' } });
  t.match((await call('GET', '/feeds/articles.rss', { key: null })).body, 'Photo: Bo Stringer');
});

t.test(
  'featured images: embedded in articles, checked, followed by caches, and kept from deletion',
  async (t) => {
    const { upload, call } = await mediaApp(t);
    const image = (
      await upload(
        { data: await phonePhoto(1600, 1200), filename: 'quay.jpg', type: 'image/jpeg' },
        { alt: 'The quay' },
      )
    ).json();
    const created = await call('POST', '/v1/articles', {
      body: { title: 'Harbour', status: 'published', featuredImage: image.id },
    });
    t.equal(created.status, 201);
    t.same(created.json.featuredImage, image, 'embedded with its renditions and crops');
    const unknown = await call('POST', '/v1/articles', { body: { title: 'x', featuredImage: 9999 } });
    t.equal(unknown.status, 422);
    t.match(unknown.json, { type: /unknown-media$/, detail: /9999/ });

    const urls = ['/v1/articles/harbour', '/v1/articles'];
    const before = new Map<string, string>();
    for (const url of urls) {
      const response = await call('GET', url, { key: null });
      t.equal((await call('GET', url, { key: null })).headers['x-cache'], 'HIT', `${url} is cached`);
      before.set(url, String(response.headers.etag));
    }
    await call('PATCH', `/v1/media/${image.id}`, {
      body: { alt: 'The quay at dawn', focalPoint: { x: 0.2, y: 0.2 } },
    });
    for (const url of urls) {
      const after = await call('GET', url, { key: null });
      t.match(after.body, 'The quay at dawn', `${url} shows the new alt text`);
      t.not(after.headers.etag, before.get(url), `${url} has a new validator`);
    }

    const refused = await call('DELETE', `/v1/media/${image.id}`);
    t.equal(refused.status, 409);
    t.match(refused.json, {
      type: /media-in-use$/,
      detail: /"harbour"/,
      articles: [{ id: created.json.id, slug: 'harbour' }],
    });
    const cleared = await call('PATCH', '/v1/articles/harbour', { body: { featuredImage: null } });
    t.equal(cleared.json.featuredImage, null);
    const revisions = (await call('GET', '/v1/articles/harbour/revisions')).json.data;
    t.same(
      revisions.map(
        (revision: { snapshot: { featuredImage: number | null } }) => revision.snapshot.featuredImage,
      ),
      [null, image.id],
      'revisions keep which image it was',
    );
    t.equal((await call('DELETE', `/v1/media/${image.id}`)).status, 204, 'free once no article shows it');
  },
);

t.test('feeds carry the featured image: Media RSS, an Atom enclosure, JSON Feed’s image', async (t) => {
  const { upload, call } = await mediaApp(t, {}, { site: SITE });
  const image = (
    await upload(
      { data: await phonePhoto(1600, 1200), filename: 'quay.jpg', type: 'image/jpeg' },
      { alt: 'The quay', credit: 'Photo: Ada Reporter' },
    )
  ).json();
  t.match(image.url, /^https:\/\/news\.example\.com\/media\//, 'absolute under the site');
  await call('POST', '/v1/articles', {
    body: {
      title: 'Harbour',
      status: 'published',
      featuredImage: image.id,
      publishedAt: '2026-01-14T09:00:00.000Z',
    },
  });
  const jpeg = image.renditions.find(
    (r: { format: string; width: number }) => r.format === 'jpg' && r.width === 960,
  );
  const rss = await call('GET', '/feeds/articles.rss', { key: null });
  t.same(await xmlErrors(rss.body), []);
  t.match(
    rss.body,
    `<media:content url="${jpeg.url}" medium="image" type="image/jpeg" width="960" height="1280"><media:description type="plain">The quay</media:description><media:credit>Photo: Ada Reporter</media:credit></media:content>`,
  );
  const atom = await call('GET', '/feeds/articles.atom', { key: null });
  t.same(await xmlErrors(atom.body), []);
  t.match(atom.body, `<link rel="enclosure" type="image/jpeg" href="${jpeg.url}"/>`);
  const json = await call('GET', '/feeds/articles.json', { key: null });
  t.equal(json.json.items[0].image, jpeg.url);
  const before = json.headers.etag;
  await call('PATCH', `/v1/media/${image.id}`, { body: { credit: 'Photo: Bo Stringer' } });
  const after = await call('GET', '/feeds/articles.rss', { key: null });
  t.match(after.body, 'Photo: Bo Stringer', 'an edit to the image reaches the cached feed');
  t.not((await call('GET', '/feeds/articles.json', { key: null })).headers.etag, before);
});

t.test('the articles’ sitemap lists the images each page shows, and follows edits to them', async (t) => {
  const { upload, call } = await mediaApp(t, {}, { site: SITE });
  const photo = async (alt: string) =>
    (
      await upload({ data: await phonePhoto(800, 600), filename: `${alt}.jpg`, type: 'image/jpeg' }, { alt })
    ).json();
  const [lead, second, drafty] = [await photo('lead'), await photo('second'), await photo('drafty')];
  await call('POST', '/v1/articles', {
    body: {
      title: 'Quay',
      status: 'published',
      featuredImage: lead.id,
      body: `![](media:${second.id})\n\nAgain ![](media:${lead.id})`,
    },
  });
  await call('POST', '/v1/articles', { body: { title: 'Plain', status: 'published' } });
  await call('POST', '/v1/articles', { body: { title: 'Draft', featuredImage: drafty.id } });
  const sitemap = await call('GET', '/sitemaps/articles-1.xml', { key: null });
  t.same(await xmlErrors(sitemap.body, 'image-urlset.xsd'), [], 'valid against both schemas');
  t.match(
    sitemap.body,
    `<url><loc>https://news.example.com/quay</loc><lastmod>2026-01-15T12:00:00.000Z</lastmod><image:image><image:loc>${lead.url}</image:loc></image:image><image:image><image:loc>${second.url}</image:loc></image:image></url>`,
    'featured first, then the body’s, each once',
  );
  t.match(
    sitemap.body,
    '<url><loc>https://news.example.com/plain</loc><lastmod>2026-01-15T12:00:00.000Z</lastmod></url>',
  );
  t.notMatch(sitemap.body, drafty.url, 'nothing of drafts');
  t.match(sitemap.headers['surrogate-key'], 'images');

  await call('PATCH', `/v1/media/${second.id}`, { body: { focalPoint: { x: 0.3, y: 0.3 } } });
  const moved = (await call('GET', `/v1/media/${second.id}`)).json.url;
  t.not(moved, second.url);
  const after = await call('GET', '/sitemaps/articles-1.xml', { key: null });
  t.match(after.body, moved, 'the cached file follows the new URL');
});
