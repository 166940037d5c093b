import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import {
  heifAv1,
  personalIn,
  phonePhoto,
  pixelBomb,
  pngWithAlpha,
  svgWithScript,
  tiff,
} from '../helpers/images.js';
import { mediaApp } from '../helpers/media-app.js';

t.test(
  'a phone photo: displayed size, placeholder, renditions and crops, and no GPS in any public byte',
  async (t) => {
    const { upload, fetch, call } = await mediaApp(t);
    const photo = await phonePhoto();
    const response = await upload(
      { data: photo, filename: '../../etc/IMG_0001.JPG', type: 'image/jpeg' },
      { alt: 'Boats at the harbour wall', caption: 'Morning at the quay', credit: 'Photo: Ada Reporter' },
    );
    t.equal(response.statusCode, 201, response.body);
    const image = response.json();
    t.match(image, {
      filename: 'IMG_0001.JPG',
      mimeType: 'image/jpeg',
      bytes: photo.length,
      width: 2000,
      height: 3000,
      alt: 'Boats at the harbour wall',
      caption: 'Morning at the quay',
      credit: 'Photo: Ada Reporter',
      focalPoint: { x: 0.5, y: 0.5 },
    });
    t.equal(response.headers.location, `/v1/media/${image.id}`);
    t.ok(Buffer.from(image.placeholder, 'base64').length > 5, 'a ThumbHash');
    t.same(
      [...new Set(image.renditions.map((rendition: { width: number }) => rendition.width))],
      [320, 640, 960, 1280, 1920],
      'every configured width up to the original’s 2000',
    );
    t.same(
      [...new Set(image.renditions.map((rendition: { format: string }) => rendition.format))],
      ['webp', 'avif', 'jpg'],
    );
    t.same([...new Set(image.crops.map((crop: { aspect: string }) => crop.aspect))], ['1:1', '4:3', '16:9']);
    t.same((await call('GET', `/v1/media/${image.id}`)).json, image);

    const served = [
      image.url,
      ...image.renditions
        .filter((r: { width: number }) => r.width === 320)
        .map((r: { url: string }) => r.url),
      image.crops.find(
        (crop: { aspect: string; width: number }) => crop.aspect === '16:9' && crop.width === 640,
      ).url,
    ];
    for (const url of served) {
      const file = await fetch(url);
      t.equal(file.statusCode, 200, url);
      t.same(await personalIn(file.rawPayload), [], `${url}: nothing personal`);
    }
    const webpUrl = image.renditions.find(
      (r: { format: string; width: number }) => r.format === 'webp' && r.width === 640,
    ).url;
    const webp = await fetch(webpUrl);
    t.equal(webp.headers['content-type'], 'image/webp');
    t.equal(webp.headers['cache-control'], 'public, max-age=31536000, immutable');
    t.equal(webp.headers['surrogate-key'], `media-${image.id}`);
    t.match(webp.headers.etag, /^"[^W]/, 'a strong ETag');
    const decoded = await sharp(webp.rawPayload).metadata();
    t.match(decoded, { format: 'webp', width: 640, height: 960 }, 'portrait, as displayed');
    const again = await fetch(webpUrl, { 'if-none-match': String(webp.headers.etag) });
    t.equal(again.statusCode, 304);
    const crop = await fetch(served.at(-1) ?? '');
    t.match(await sharp(crop.rawPayload).metadata(), { format: 'jpeg', width: 640, height: 360 });
    const avif = await fetch(
      image.renditions.find((r: { format: string; width: number }) => r.format === 'avif' && r.width === 320)
        .url,
    );
    t.match(await sharp(avif.rawPayload).metadata(), { format: 'heif', width: 320 });
  },
);

t.test('only the listed sizes exist; a focal point moves the crops to new URLs', async (t) => {
  const { upload, fetch, call } = await mediaApp(t);
  const image = (await upload({ data: await tiff(), filename: 'scan.tif', type: 'image/tiff' })).json();
  t.equal(image.mimeType, 'image/tiff');
  t.match(image.url, /original\.jpg$/, 'a TIFF is served as a JPEG');
  t.match(await sharp((await fetch(image.url)).rawPayload).metadata(), { format: 'jpeg', width: 700 });
  const base = image.url.replace(/original\.jpg$/, '');
  for (const name of ['w500.webp', 'w960.webp', 'w320.png', '3x2-w320.jpg', 'original.tif', 'w640.gif']) {
    t.equal((await fetch(base + name)).statusCode, 404, `${name} is not a variant`);
  }
  t.equal((await fetch(`${base}w320.webp`)).statusCode, 200);
  const oldCrop = image.crops.find((crop: { aspect: string }) => crop.aspect === '1:1').url;
  const moved = await call('PATCH', `/v1/media/${image.id}`, { body: { focalPoint: { x: 0, y: 0.25 } } });
  t.same(moved.json.focalPoint, { x: 0, y: 0.25 });
  t.not(moved.json.crops[0].url, oldCrop, 'new crop URLs');
  t.equal((await fetch(oldCrop)).statusCode, 404, 'the old URL is gone');
  t.equal((await fetch(moved.json.crops[0].url)).statusCode, 200);
  const badFocus = await call('PATCH', `/v1/media/${image.id}`, { body: { focalPoint: { x: 2, y: 0 } } });
  t.equal(badFocus.status, 400);
});

t.test('bad files: sniffed, limited, refused with a clear 4xx and never a 500', async (t) => {
  const { upload, uploadRaw, call } = await mediaApp(t, { maxBytes: 200_000, maxPixels: 40_000_000 });
  const text = await uploadRaw(Buffer.from('GIF89a? no, just text posing as an image'), 'image/gif');
  t.equal(text.statusCode, 415);
  t.match(text.json(), { type: /not-an-image$/ });
  const svg = await upload({ data: svgWithScript, filename: 'logo.png', type: 'image/png' });
  t.equal(svg.statusCode, 415, 'an SVG named .png is still an SVG');
  t.match(svg.json(), { type: /svg-refused$/, detail: /script/ });
  t.equal((await uploadRaw(svgWithScript, 'image/svg+xml')).statusCode, 415);
  const started = Date.now();
  const bomb = await uploadRaw(await pixelBomb(60_000, 60_000), 'image/png');
  t.equal(bomb.statusCode, 413);
  t.match(bomb.json(), { type: /too-many-pixels$/, detail: /60000 × 60000/ });
  t.ok(Date.now() - started < 5_000, 'refused from its header, not decoded');
  const photo = await phonePhoto(400, 300);
  const truncated = await uploadRaw(photo.subarray(0, Math.floor(photo.length * 0.6)), 'image/jpeg');
  t.equal(truncated.statusCode, 422);
  t.match(truncated.json(), { type: /image-unreadable$/ });
  const big = await uploadRaw(Buffer.alloc(300_000, 1), 'image/jpeg');
  t.equal(big.statusCode, 413, 'over MEDIA_MAX_BYTES as a body');
  const bigPart = await upload({ data: Buffer.alloc(300_000, 1), filename: 'big.jpg', type: 'image/jpeg' });
  t.equal(bigPart.statusCode, 413, 'over MEDIA_MAX_BYTES in a form');
  const noFile = await call('POST', '/v1/media', { body: { alt: 'x' } });
  t.equal(noFile.status, 415, 'JSON is not an upload');
  t.match(noFile.json, { type: /not-an-upload$/ });
  t.equal((await call('POST', '/v1/media')).status, 415, 'nor is nothing');
  t.equal((await uploadRaw(Buffer.alloc(0), 'image/png')).statusCode, 415, 'nor an empty image');
  const badField = await upload(
    { data: photo, filename: 'a.jpg', type: 'image/jpeg' },
    { alt: 'x'.repeat(1001) },
  );
  t.equal(badField.statusCode, 400);
  t.equal((await call('GET', '/v1/media')).json.meta.total, 0, 'nothing half-written');

  const alpha = await uploadRaw(await pngWithAlpha(), 'image/png');
  t.equal(alpha.statusCode, 201, 'PNG with alpha');
  t.match(alpha.json(), { mimeType: 'image/png', width: 800, height: 600, filename: 'image.png' });
  const heif = await uploadRaw(await heifAv1(), 'image/heic');
  t.equal(heif.statusCode, 201, 'a HEIF that decodes is accepted');
  t.match(heif.json().url, /original\.jpg$/);
});

t.test('the library: keys only, paged, edited, deleted; renditions are public', async (t) => {
  const { upload, fetch, call } = await mediaApp(t);
  const first = (await upload({ data: await pngWithAlpha(), filename: 'a.png', type: 'image/png' })).json();
  const second = (await upload({ data: await tiff(), filename: 'b.tif', type: 'image/tiff' })).json();
  t.equal((await call('GET', '/v1/media', { key: null })).status, 401);
  const listed = await call('GET', '/v1/media?perPage=1');
  t.equal(listed.json.meta.total, 2);
  t.equal(listed.json.data[0].id, second.id, 'newest first');
  const edited = await call('PATCH', `/v1/media/${first.id}`, {
    body: { alt: 'Red', caption: null, credit: 'Me' },
  });
  t.match(edited.json, { alt: 'Red', caption: null, credit: 'Me' });
  t.equal(edited.json.url, first.url, 'details do not change the image URLs');
  t.equal((await fetch(first.renditions[0].url)).statusCode, 200, 'public without a key');
  t.equal((await call('DELETE', `/v1/media/${first.id}`)).status, 204);
  t.equal((await call('GET', `/v1/media/${first.id}`)).status, 404);
  t.equal((await fetch(first.renditions[0].url)).statusCode, 404, 'its files stop being served');
  const changes = (await call('GET', '/v1/changes')).json.data.map((change: { type: string }) => change.type);
  t.same(
    changes.filter((type: string) => type.startsWith('media.')),
    ['media.created', 'media.created', 'media.updated', 'media.deleted'],
  );
});

t.test('concurrent requests for one new rendition generate it once; the cache stays bounded', async (t) => {
  const cacheBytes = 400_000;
  const { upload, fetch, cacheDir } = await mediaApp(t, { cacheBytes });
  const image = (
    await upload({ data: await phonePhoto(1400, 1000), filename: 'p.jpg', type: 'image/jpeg' })
  ).json();
  const jpegs = image.renditions.filter((r: { format: string }) => r.format === 'jpg');
  const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(jpegs[0].url)));
  t.same(new Set(answers.map((answer) => answer.statusCode)), new Set([200]));
  t.equal(new Set(answers.map((answer) => answer.rawPayload.toString('base64'))).size, 1, 'the same bytes');
  t.same(readdirSync(cacheDir).length, 1, 'generated once: one file on disk');
  let served = 0;
  for (const rendition of [...jpegs, ...image.crops]) {
    const answer = await fetch(rendition.url);
    t.equal(answer.statusCode, 200);
    served += answer.rawPayload.length;
  }
  const kept = readdirSync(cacheDir).reduce((sum, name) => sum + statSync(join(cacheDir, name)).size, 0);
  t.ok(served > cacheBytes, `more was served (${served} bytes) than the cache holds`);
  t.ok(kept <= cacheBytes, `the cache kept ${kept} bytes, within MEDIA_CACHE_BYTES`);
});
