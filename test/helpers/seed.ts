import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { parse } from 'yaml';
import { ADMIN_KEY, buildTestApp } from './app.js';
import { phonePhoto } from './images.js';

export const SEED_ARTICLE_PATH = fileURLToPath(new URL('../fixtures/seed-article.md', import.meta.url));

export interface SeedArticle {
  title: string;
  section: string;
  tags: string[];
  status: 'published';
  body: string;
}

/** The seed article: YAML front matter parsed, the Markdown body exactly as in the file. */
export function loadSeedArticle(): SeedArticle {
  const text = readFileSync(SEED_ARTICLE_PATH, 'utf8');
  const match = /^---\n([\s\S]*?)\n---\n\n?([\s\S]*)$/.exec(text);
  if (!match?.[1] || match[2] === undefined) throw new Error('seed article has no front matter');
  const front = parse(match[1]) as Omit<SeedArticle, 'body'>;
  return { ...front, body: match[2] };
}

/**
 * A small site with a bit of everything an export carries (nested sections, the seed article
 * with a featured photo and a revision of it, a scheduled article, a trashed draft, an approved
 * comment and a pending reply), written through the API into a SQLite file.
 */
export async function buildSampleSite(t: Test, databaseFile: string): Promise<void> {
  const { call, clock, app } = await buildTestApp(t, { databaseFile });
  const photo = await app.inject({
    method: 'POST',
    url: '/v1/media',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'image/jpeg' },
    payload: await phonePhoto(480, 320),
  });
  const seed = loadSeedArticle();
  const world = await call('POST', '/v1/sections', { body: { name: 'World' } });
  await call('POST', '/v1/sections', { body: { name: 'Europe', parentId: world.json.id } });
  await call('POST', '/v1/sections', { body: { name: seed.section } });
  const article = await call('POST', '/v1/articles', {
    body: { ...seed, author: 'A. Writer', featuredImage: photo.json().id },
  });
  await call('PATCH', `/v1/articles/${article.json.id}`, { body: { subtitle: 'Revised' } });
  await call('PATCH', '/v1/authors/a-writer', { body: { avatar: photo.json().id } });
  const corrections = `/v1/articles/${article.json.id}/corrections`;
  await call('POST', corrections, {
    body: { kind: 'correction', text: 'An earlier version gave the wrong *date*.' },
  });
  const mistaken = await call('POST', corrections, { body: { kind: 'update', text: 'Posted by mistake.' } });
  await call('DELETE', `${corrections}/${mistaken.json.id}?reason=Wrong%20story`);
  const later = new Date(clock.now.getTime() + 86_400_000).toISOString();
  await call('POST', '/v1/articles', {
    body: {
      title: 'Scheduled',
      section: 'europe',
      status: 'scheduled',
      publishedAt: later,
      body: `The harbour at noon:\n\n![](media:${photo.json().id} "Noon")`,
    },
  });
  const draft = await call('POST', '/v1/articles', { body: { title: 'Trashed draft', tags: ['Secret'] } });
  await call('DELETE', `/v1/articles/${draft.json.id}`);
  const root = await call('POST', `/v1/articles/${article.json.id}/comments`, {
    body: { authorName: 'R', authorEmail: 'r@example.org', body: 'First', status: 'approved' },
  });
  await call('POST', `/v1/articles/${article.json.id}/comments`, {
    key: null,
    body: { authorName: 'S', authorEmail: 's@example.org', body: 'Reply', parentId: root.json.id },
  });
}
