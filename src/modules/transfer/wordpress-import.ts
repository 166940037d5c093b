import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { systemActor } from '../../lib/audience.js';
import { deriveSlug, SLUG_MAX_LENGTH, SLUG_PATTERN } from '../../lib/slug.js';
import type { WriteContext } from '../articles/rules.js';
import { type ArticleCreate, MAX_TAGS } from '../articles/schemas.js';
import type { Audience } from '../articles/visibility.js';
import type { Services } from '../services.js';
import { asPatch, checkArticle } from './article-input.js';
import { type ImportReport, UnreadableInput } from './report.js';
import { plainText, wordpressToMarkdown } from './wordpress-html.js';
import { imageResolver, importAttachments, type UploadedImages } from './wordpress-media.js';

type Node = Record<string, unknown>;
const text = (value: unknown): string =>
  value === undefined || value === null
    ? ''
    : typeof value === 'object'
      ? text((value as Node)['#text'])
      : String(value);
const list = (value: unknown): Node[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]) as Node[];

/** WordPress dates are `YYYY-MM-DD HH:MM:SS`; zero dates mean "not set". */
function instant(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value) || value.startsWith('0000')) return null;
  return new Date(`${value.replace(' ', 'T')}Z`).toISOString();
}

const SLUG = new RegExp(SLUG_PATTERN);
/** WordPress slugs may be percent-encoded Unicode: kept when they are valid here, else derived. */
function cleanSlug(value: string): string | undefined {
  let decoded = value;
  try {
    decoded = decodeURIComponent(value);
  } catch {}
  if (decoded === '') return undefined;
  if (SLUG.test(decoded) && decoded.length <= SLUG_MAX_LENGTH) return decoded;
  const derived = deriveSlug(decoded);
  return derived === 'untitled' ? undefined : derived;
}

export interface WordPressOptions {
  /** Import pages as articles too (skipped otherwise). */
  pages: boolean;
  /** The site's `wp-content/uploads` folder: its images become media. */
  uploads?: string;
}

/** A post's custom field (`wp:postmeta`), '' when absent. */
const meta = (item: Node, key: string) =>
  text(list(item['wp:postmeta']).find((entry) => text(entry['wp:meta_key']) === key)?.['wp:meta_value']);

/** WXR statuses: what the article becomes, or why the post is skipped. */
function statusOf(
  item: Node,
  now: string,
): { status?: ArticleCreate['status']; skip?: string; note?: string } {
  const status = text(item['wp:status']);
  if (text(item['wp:post_password']) !== '')
    return { status: 'draft', note: 'password-protected: imported as a draft' };
  if (status === 'publish') return { status: 'published' };
  if (status === 'future') {
    const at = instant(text(item['wp:post_date_gmt'])) ?? instant(text(item['wp:post_date']));
    return { status: at && at > now ? 'scheduled' : 'published' };
  }
  if (status === 'draft' || status === 'pending' || status === 'private') return { status: 'draft' };
  return { skip: `status ${status || 'unknown'}` };
}

/** One import's state: the services it writes through, what it has matched so far, its report. */
interface WordpressRun {
  services: Services;
  report: ImportReport;
  now: () => string;
  audience: () => Audience;
  context: () => WriteContext;
  /** Login → author id (`wp:author` entries, imported first). */
  authors: Map<string, number>;
  /** Category nicename → its element. */
  byNicename: Map<string, Node>;
  /** Category nicename → section id. */
  sectionOf: Map<string, number>;
  /** The uploads imported as media, with `--uploads`. */
  images?: UploadedImages;
}

/**
 * Imports a WordPress export (WXR 1.1/1.2) through the API's own repositories: categories
 * become sections (with their tree, used or not), tags become tags, posts become articles
 * (bodies converted to Markdown), comments keep their threads. Everything is matched on its
 * WordPress id (`wp:post:12`, `wp:category:3`…), so a second run changes nothing.
 */
export async function importWordpress(
  services: Services,
  file: string,
  report: ImportReport,
  options: WordPressOptions,
) {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    trimValues: true,
    isArray: (name) =>
      ['item', 'wp:category', 'wp:tag', 'wp:comment', 'category', 'wp:author', 'wp:postmeta'].includes(name),
  });
  let parsed: Node;
  try {
    parsed = parser.parse(readFileSync(file, 'utf8')) as Node;
  } catch (error) {
    // fast-xml-parser refuses external entities (XXE) and malformed XML: say so, and stop.
    throw new UnreadableInput(`${file}: not an export this importer reads (${(error as Error).message})`);
  }
  const channel = (parsed.rss as Node | undefined)?.channel as Node | undefined;
  if (!channel) throw new UnreadableInput(`${file} is not a WordPress export (no rss > channel)`);

  const now = () => services.now().toISOString();
  const categories = list(channel['wp:category']);
  const run: WordpressRun = {
    services,
    report,
    now,
    audience: () => ({ seesUnpublished: true, now: now() }),
    context: () => ({ audience: { seesUnpublished: true, now: now() }, actor: systemActor('import') }),
    authors: new Map(),
    byNicename: new Map(categories.map((category) => [text(category['wp:category_nicename']), category])),
    sectionOf: new Map(),
  };
  await importSections(run, categories);
  await importTags(run, list(channel['wp:tag']));
  await importAuthors(run, list(channel['wp:author']));
  const items = list(channel.item);
  const attachments = items.filter((item) => text(item['wp:post_type']) === 'attachment');
  if (options.uploads !== undefined) {
    const reading = { text, meta, plainText };
    run.images = await importAttachments(services, report, reading, attachments, options.uploads);
  }
  report.start(items.length, 'wordpress');
  for (const item of items) {
    const type = text(item['wp:post_type']);
    const source = `wp:post:${text(item['wp:post_id'])}`;
    report.tick();
    if (type === 'attachment' && run.images) continue;
    if (type !== 'post' && !(type === 'page' && options.pages)) {
      report.count(type || 'item', 'skipped');
      continue;
    }
    const status = statusOf(item, now());
    if (!status.status) {
      report.count('article', 'skipped');
      report.note(`skipped ${source}: ${status.skip}`);
      continue;
    }
    try {
      await importPost(run, item, source, status.status, status.note);
    } catch (error) {
      report.fail('article', source, (error as Error).message);
    }
  }
  report.stop();
}

/** Sections: every category, parents first. */
async function importSections(run: WordpressRun, categories: Node[]) {
  const { services, report, audience, byNicename, sectionOf } = run;
  const depth = (category: Node, seen = 0): number => {
    const parent = byNicename.get(text(category['wp:category_parent']));
    return parent && seen < 50 ? 1 + depth(parent, seen + 1) : 0;
  };
  for (const category of [...categories].sort((a, b) => depth(a) - depth(b))) {
    const nicename = text(category['wp:category_nicename']);
    const source = `wp:category:${text(category['wp:term_id']) || nicename}`;
    try {
      const parentId = sectionOf.get(text(category['wp:category_parent'])) ?? null;
      const fields = {
        name: plainText(text(category['wp:cat_name'])) || nicename,
        description: plainText(text(category['wp:category_description'])) || null,
        parentId,
      };
      await services.transaction(async () => {
        const existing =
          (await services.sections.idOfSource(source)) ??
          (await services.sections.named(fields.name, parentId));
        if (existing === undefined) {
          const created = await services.sections.create(
            { ...fields, slug: cleanSlug(nicename) },
            audience(),
          );
          await services.sections.adopt(created.id, source);
          sectionOf.set(nicename, created.id);
          return report.count('section', 'created');
        }
        await services.sections.adopt(existing, source);
        sectionOf.set(nicename, existing);
        const current = await services.sections.get(existing, audience());
        const same =
          current.name === fields.name &&
          current.description === fields.description &&
          current.parentId === parentId;
        if (same) return report.count('section', 'unchanged');
        await services.sections.update(String(existing), fields, audience());
        report.count('section', 'updated');
      });
    } catch (error) {
      report.fail('section', source, (error as Error).message);
    }
  }
}

/** Tags: every tag, matched on its id (or an existing tag of the same name). */
async function importTags(run: WordpressRun, tags: Node[]) {
  const { services, report, now } = run;
  for (const tag of tags) {
    const source = `wp:tag:${text(tag['wp:term_id']) || text(tag['wp:tag_slug'])}`;
    try {
      const name = plainText(text(tag['wp:tag_name'])) || text(tag['wp:tag_slug']);
      await services.transaction(async () => {
        if ((await services.tags.idOfSource(source)) !== undefined) return report.count('tag', 'unchanged');
        // A tag of the same name (or slug) is the same tag; otherwise it is created.
        const [id] = await services.tags.resolveOrCreate([name], now());
        if (id !== undefined) await services.tags.adopt(id, source);
        report.count('tag', 'created');
      });
    } catch (error) {
      report.fail('tag', source, (error as Error).message);
    }
  }
}

/**
 * Authors: display name as the name, the login as the slug (made a valid one), the email kept
 * for the newsroom only. Matched on the login, so a second run changes nothing.
 */
async function importAuthors(run: WordpressRun, authors: Node[]) {
  const { services, report, audience } = run;
  for (const author of authors) {
    const login = text(author['wp:author_login']);
    const source = `wp:author:${login}`;
    try {
      const existing = await services.authors.idOfSource(source);
      if (existing !== undefined) {
        run.authors.set(login, existing);
        report.count('author', 'unchanged');
        continue;
      }
      const name = plainText(text(author['wp:author_display_name'])) || login;
      const slug = deriveSlug(login);
      // A slug already taken (an author made by hand) leaves this one to be derived from the name.
      const free = (await services.authors.idOf(slug, audience())) === undefined;
      const email = text(author['wp:author_email']);
      const input = { name, ...(free ? { slug } : {}), ...(email.includes('@') ? { email } : {}) };
      run.authors.set(login, (await services.authors.create(input, audience(), source)).id);
      report.count('author', 'created');
    } catch (error) {
      report.fail('author', source, (error as Error).message);
    }
  }
}

/** One post (or page) as an article, with its comments, in one write. */
async function importPost(
  run: WordpressRun,
  item: Node,
  source: string,
  status: ArticleCreate['status'],
  note?: string,
) {
  const { services, report, audience, context, authors, byNicename, sectionOf } = run;
  if (note) report.note(`${source}: ${note}`);
  const slug = cleanSlug(text(item['wp:post_name']));
  let title = plainText(text(item.title));
  if (title === '') {
    title = (slug ?? 'untitled').replace(/-/g, ' ').replace(/^./, (first: string) => first.toUpperCase());
    report.note(`${source}: no title; "${title}" from its slug`);
  }
  const terms = list(item.category);
  const postCategories = terms.filter((term) => term['@_domain'] === 'category');
  const [first, ...others] = postCategories.map((term) => text(term['@_nicename']));
  const tagNames = [
    ...others.map((nicename) => plainText(text(byNicename.get(nicename)?.['wp:cat_name'])) || nicename),
    ...terms.filter((term) => term['@_domain'] === 'post_tag').map((term) => plainText(text(term))),
  ].filter((name, index, all) => name !== '' && all.indexOf(name) === index);
  if (tagNames.length > MAX_TAGS) {
    report.note(
      `${source}: ${tagNames.length} terms; the first ${MAX_TAGS} kept as tags, not: ${tagNames.slice(MAX_TAGS).join(', ')}`,
    );
  }
  const { markdown, shortcodes } = wordpressToMarkdown(
    text(item['content:encoded']),
    run.images && imageResolver(run.images),
  );
  if (shortcodes.length > 0) {
    report.note(
      `${source}: ${shortcodes.length} shortcode(s) kept as text: ${shortcodes.map((name) => `[${name}]`).join(' ')}`,
    );
  }
  const excerpt = plainText(text(item['excerpt:encoded']));
  const publishedAt =
    instant(text(item['wp:post_date_gmt'])) ??
    (status === 'draft' ? null : instant(text(item['wp:post_date'])));
  const input: ArticleCreate = {
    title,
    ...(slug ? { slug } : {}),
    ...(excerpt ? { excerpt } : {}),
    body: markdown,
    status,
    section: first !== undefined ? (sectionOf.get(first) ?? null) : null,
    tags: tagNames.slice(0, MAX_TAGS),
    authors: postAuthors(authors, text(item['dc:creator'])),
    ...(publishedAt && status !== 'draft' ? { publishedAt } : {}),
    commentsEnabled: text(item['wp:comment_status']) !== 'closed',
    ...featuredImageOf(run, item, source),
  };
  checkArticle(input);
  const existingId = await services.articles.idOfSource(source);
  const current = existingId === undefined ? undefined : await services.articles.get(existingId, audience());
  const rendering = current?.body === markdown ? undefined : await services.renderer.render(markdown);
  await services.transaction(async () => {
    let articleId: number;
    if (current) {
      const updated = await services.articles.update(current.id, asPatch(input), context(), rendering);
      report.count('article', updated.version === current.version ? 'unchanged' : 'updated');
      articleId = current.id;
    } else if (rendering) {
      articleId = (await services.articles.create(input, context(), rendering, source)).id;
      report.count('article', 'created');
    } else return;
    await importComments(run, item, articleId);
  });
}

/** A post's featured image (`_thumbnail_id`), when its attachment was imported. */
function featuredImageOf(run: WordpressRun, item: Node, source: string): { featuredImage?: number } {
  const attachment = meta(item, '_thumbnail_id');
  if (!run.images || attachment === '') return {};
  const id = run.images.byAttachment.get(attachment);
  if (id === undefined)
    run.report.note(`${source}: featured image wp:attachment:${attachment} was not imported`);
  return id === undefined ? {} : { featuredImage: id };
}

/** A post's comments, threads kept, matched on their WordPress ids. */
async function importComments(run: WordpressRun, item: Node, articleId: number) {
  const { services, report, now } = run;
  const comments = list(item['wp:comment']).sort(
    (a, b) => Number(text(a['wp:comment_id'])) - Number(text(b['wp:comment_id'])),
  );
  for (const comment of comments) {
    const source = `wp:comment:${text(comment['wp:comment_id'])}`;
    const kind = text(comment['wp:comment_type']);
    const approved = text(comment['wp:comment_approved']);
    if ((kind !== '' && kind !== 'comment') || approved === 'trash') {
      report.count('comment', 'skipped');
      continue;
    }
    const parentSource = text(comment['wp:comment_parent']);
    const parentId =
      parentSource && parentSource !== '0'
        ? ((await services.comments.idOfSource(`wp:comment:${parentSource}`)) ?? null)
        : null;
    const outcome = await services.comments.importComment({
      articleId,
      parentId,
      authorName: plainText(text(comment['wp:comment_author'])) || 'Anonymous',
      authorEmail: text(comment['wp:comment_author_email']) || 'unknown@invalid',
      body: plainText(text(comment['wp:comment_content'])) || '…',
      status: approved === '1' ? 'approved' : approved === 'spam' ? 'spam' : 'pending',
      at: instant(text(comment['wp:comment_date_gmt'])) ?? now(),
      sourceId: source,
    });
    report.count('comment', outcome);
  }
}

/** A post's byline: its creator's author record, or (a login no `wp:author` names) the login as a name. */
const postAuthors = (authors: Map<string, number>, creator: string) => {
  const id = authors.get(creator);
  return id !== undefined ? [id] : creator ? [creator] : [];
};
