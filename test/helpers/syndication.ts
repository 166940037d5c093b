import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';
import type { SiteSettings } from '../../src/lib/site-links.js';

export const SITE: SiteSettings = {
  url: 'https://news.example.com',
  name: 'Example News',
  language: 'en-GB',
  publicUrl: 'https://news.example.com',
  articleUrlTemplate: '{site}/{section}/{slug}',
  sectionUrlTemplate: '{site}/{slug}',
  tagUrlTemplate: '{site}/tag/{slug}',
  authorUrlTemplate: '{site}/author/{slug}',
  previewUrlTemplate: '{site}/preview/{id}?token={token}',
  sitemapUrlsPerFile: 50_000,
};

const xsd = (name: string) => ({
  fileName: name,
  contents: readFileSync(fileURLToPath(new URL(`../fixtures/xsd/${name}`, import.meta.url)), 'utf8'),
});

/**
 * Parses with libxml2 (compiled to WebAssembly), independent of the library that wrote the
 * document: well-formedness always, and the schema when one is named. Returns the errors.
 */
export async function xmlErrors(
  xml: string,
  schema?: 'sitemap.xsd' | 'siteindex.xsd' | 'news-urlset.xsd' | 'image-urlset.xsd',
): Promise<string[]> {
  const preload =
    schema === 'news-urlset.xsd'
      ? [xsd('sitemap.xsd'), xsd('sitemap-news.xsd')]
      : schema === 'image-urlset.xsd'
        ? [xsd('sitemap.xsd'), xsd('sitemap-image.xsd')]
        : [];
  const document = [{ fileName: 'document.xml', contents: xml }];
  const result = await (schema
    ? validateXML({ xml: document, schema: [xsd(schema)], preload })
    : validateXML({ xml: document, normalization: 'format' }));
  return result.errors.map((error) => error.rawMessage);
}

/** The text of every <tag> in a flat XML document (sitemaps): enough to compare with the API. */
export const textsOf = (xml: string, tag: string) =>
  [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((match) => match[1] ?? '');
