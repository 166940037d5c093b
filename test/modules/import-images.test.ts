import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import t from 'tap';
import { buildTestApp, storeAt } from '../helpers/app.js';
import { cli, workspace } from '../helpers/cli.js';
import { personalIn, phonePhoto, pngWithAlpha } from '../helpers/images.js';
import { sharedDatabaseUrl } from '../helpers/server.js';

// Imports that bring images: `import wordpress --uploads` (a site's uploads become media, its
// posts show them) and `import markdown` (images beside the files).

const WXR = fileURLToPath(new URL('../fixtures/wordpress-uploads.xml', import.meta.url));

/** The uploads folder the fixture's attachments name (one of them is missing on purpose). */
async function uploadsFolder(dir: string) {
  const uploads = join(dir, 'uploads');
  mkdirSync(join(uploads, '2024', '05'), { recursive: true });
  mkdirSync(join(uploads, '2024', '06'), { recursive: true });
  writeFileSync(join(uploads, '2024', '05', 'quay.jpg'), await phonePhoto(1600, 1200));
  writeFileSync(join(uploads, '2024', '05', 'lamp.png'), await pngWithAlpha());
  const big = await sharp({ create: { width: 2560, height: 1920, channels: 3, background: '#347' } })
    .jpeg()
    .toBuffer();
  writeFileSync(join(uploads, '2024', '06', 'big-scaled.jpg'), big);
  writeFileSync(join(dir, 'outside.jpg'), big);
  return uploads;
}

t.test('import wordpress --uploads: attachments, featured images, resized copies in bodies', async (t) => {
  const dir = workspace(t);
  const uploads = await uploadsFolder(dir);
  const database = await sharedDatabaseUrl(t);

  const first = await cli(database, 'import', 'wordpress', WXR, '--uploads', uploads);
  t.equal(first.code, 1, 'files that could not be imported make the exit code non-zero');
  t.match(first.output, /media\s+3\s+0\s+0\s+0\s+2/, 'three images created, two failed');
  t.match(first.output, /failed media wp:attachment:7: 2024\/06\/missing\.jpg is not there/);
  t.match(
    first.output,
    /failed media wp:attachment:9: \.\.\/\.\.\/outside\.jpg is outside the folder imported/,
  );
  t.match(first.output, /attachment\s+0\s+0\s+0\s+1/, 'the PDF is skipped');
  t.match(first.output, /wp:post:21: featured image wp:attachment:7 was not imported/);
  t.match(first.output, /article\s+2\s+0\s+0\s+0\s+0/);

  const second = await cli(database, 'import', 'wordpress', WXR, '--uploads', uploads);
  t.match(second.output, /media\s+0\s+0\s+3\s+0\s+2/, 'matched on their WordPress ids');
  t.match(second.output, /article\s+0\s+0\s+2\s+0\s+0/, 'a second run changes nothing');

  const { app, call, clock } = await buildTestApp(t, storeAt(database));
  clock.set(new Date().toISOString());
  const media = (await call('GET', '/v1/media')).json.data;
  const byName = new Map(media.map((image: { filename: string; id: number }) => [image.filename, image]));
  t.match(byName.get('quay.jpg'), {
    alt: 'Boats at the quay wall',
    caption: 'Morning at the quay',
    credit: 'Photo: Ada Reporter',
    width: 1200,
    height: 1600,
  });
  t.match(byName.get('lamp.png'), { alt: 'Harbour lamp at night', caption: null }, 'the title as alt text');
  t.match(
    byName.get('big-scaled.jpg'),
    { alt: '', width: 2560 },
    'a title that is the file name is no alt text',
  );
  const quay = byName.get('quay.jpg') as { id: number; url: string };
  const served = await app.inject({ method: 'GET', url: quay.url });
  t.equal(served.statusCode, 200);
  t.same(await personalIn(served.rawPayload), [], 'the imported photo is served without its GPS');

  const article = (await call('GET', '/v1/articles/harbour-works')).json;
  t.equal(article.featuredImage.id, quay.id, '_thumbnail_id became the featured image');
  const lamp = (byName.get('lamp.png') as { id: number }).id;
  const big = (byName.get('big-scaled.jpg') as { id: number }).id;
  t.equal(
    article.body,
    [
      'Work began on Monday.',
      '',
      `![Boats](media:${quay.id} "The quay at dawn, \\"before\\" the works")`,
      '',
      `The old lamp ![](media:${lamp}) stays.`,
      '',
      `![The crane](media:${big} "The crane arrives")`,
      '',
      "![Someone else's](https://elsewhere.example/photo.jpg)",
      '',
      '![Lost](https://harbour.example/wp-content/uploads/2024/06/missing-300x200.jpg)',
      '',
    ].join('\n'),
    'resized and scaled copies name their media; other images keep their URLs',
  );
  t.match(article.bodyHtml, `<figure class="media" data-media-id="${quay.id}">`);
  t.match(
    article.bodyHtml,
    '<figcaption>The quay at dawn, &quot;before&quot; the works <small class="credit">Photo: Ada Reporter</small></figcaption>',
  );
  t.match(article.bodyHtml, `<picture class="media" data-media-id="${lamp}">`);
  t.match(
    article.bodyHtml,
    'alt="Harbour lamp at night"',
    'the image’s own alt text when the body gives none',
  );
  const refused = await call('DELETE', `/v1/media/${big}`);
  t.equal(refused.status, 409, 'an image a body shows cannot be deleted');

  const plain = await cli(
    database.includes(':') ? database : join(dir, 'plain.db'),
    'import',
    'wordpress',
    WXR,
  );
  t.match(plain.output, /attachment\s+0\s+0\s+0\s+6/, 'without --uploads attachments are skipped as before');
});

t.test('import markdown: images beside the files become media, once; others stay as written', async (t) => {
  const dir = workspace(t);
  const folder = join(dir, 'content');
  mkdirSync(join(folder, 'world', 'images'), { recursive: true });
  writeFileSync(join(folder, 'world', 'images', 'quay 1.jpg'), await phonePhoto(800, 600));
  writeFileSync(join(dir, 'secret.jpg'), await phonePhoto(400, 300));
  const body = [
    '![The quay](images/quay%201.jpg "At dawn")',
    '',
    'Again: ![](<./images/quay 1.jpg>), elsewhere ![x](https://elsewhere.example/a.jpg),',
    'missing ![m](images/missing.png), outside ![s](../../secret.jpg), a page [link](other.md).',
    '',
  ].join('\n');
  writeFileSync(
    join(folder, 'world', 'harbour.md'),
    `---\ntitle: Harbour\nstatus: published\n---\n\n${body}`,
  );
  const database = await sharedDatabaseUrl(t);

  const first = await cli(database, 'import', 'markdown', folder);
  t.match(first.output, /media\s+1\s+0\s+1\s+0\s+2/, 'one image uploaded (named twice), two failed');
  t.match(first.output, /failed media world\/harbour\.md: images\/missing\.png: .* is not there/);
  t.match(
    first.output,
    /failed media world\/harbour\.md: \.\.\/\.\.\/secret\.jpg: .* is outside the folder imported/,
  );
  t.match(first.output, /article\s+1\s+0\s+0/);
  const second = await cli(database, 'import', 'markdown', folder);
  t.match(second.output, /media\s+0\s+0\s+2\s+0\s+2/, 'matched on its path the second time');
  t.match(second.output, /article\s+0\s+0\s+1/, 'the article is unchanged');

  const { call, clock } = await buildTestApp(t, storeAt(database));
  clock.set(new Date().toISOString());
  const [image] = (await call('GET', '/v1/media')).json.data;
  t.match(image, { filename: 'quay 1.jpg', width: 600, height: 800 });
  const article = (await call('GET', '/v1/articles/harbour')).json;
  t.equal(
    article.body,
    body
      .replace('images/quay%201.jpg', `media:${image.id}`)
      .replace('<./images/quay 1.jpg>', `media:${image.id}`),
  );
  t.match(article.bodyHtml, `<figure class="media" data-media-id="${image.id}">`);
  t.match(article.bodyHtml, '<figcaption>At dawn</figcaption>');
});
