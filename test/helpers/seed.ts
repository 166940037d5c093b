import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

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
