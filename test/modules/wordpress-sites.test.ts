import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { wordpressToMarkdown } from '../../src/modules/transfer/wordpress-html.js';
import { buildTestApp, storeAt } from '../helpers/app.js';
import { sharedDatabaseUrl } from '../helpers/server.js';

// What public WordPress exports hold and the first importer got wrong.

const run = promisify(execFile);

async function importFile(t: Test, database: string, xml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-wxr-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'export.xml');
  writeFileSync(file, xml);
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'import', 'wordpress', file],
      { env: { ...process.env, DATABASE_URL: database, LOG_LEVEL: 'silent' } },
    );
    return { code: 0, stdout, stderr, file };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr, file };
  }
}

const category = (id: number, nicename: string, name: string, parent = '') =>
  `<wp:category><wp:term_id>${id}</wp:term_id><wp:category_nicename>${nicename}</wp:category_nicename><wp:category_parent>${parent}</wp:category_parent><wp:cat_name><![CDATA[${name}]]></wp:cat_name></wp:category>`;

const post = (id: number, slug: string, nicename: string, body: string) => `<item>
  <title>${slug}</title><dc:creator><![CDATA[admin]]></dc:creator>
  <content:encoded><![CDATA[${body}]]></content:encoded>
  <wp:post_id>${id}</wp:post_id><wp:post_date_gmt>2024-05-01 10:00:00</wp:post_date_gmt>
  <wp:post_name>${slug}</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
  <category domain="category" nicename="${nicename}"><![CDATA[Local]]></category>
</item>`;

const LIST_POST = `Before the list
<ul>
<li>One</li>
<li>Two</li>
<li>Three</li>
<li>Four</li>
</ul>
<ol>
<li>First
<ul>
<li>Nested</li>
</ul>
</li>
<li>Second</li>
</ol>
After.`;

const wxr = (items: string) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Local news</title>
${category(1, 'uk', 'UK')}${category(2, 'us', 'US')}${category(3, 'local-uk', 'Local', 'uk')}${category(4, 'local-us', 'Local', 'us')}
${items}
</channel></rss>`;

t.test('classic-editor lists, one item a line, stay lists (autop leaves block HTML alone)', async (t) => {
  t.equal(
    wordpressToMarkdown(LIST_POST).markdown,
    'Before the list\n\n-   One\n-   Two\n-   Three\n-   Four\n\n1.  First\n    -   Nested\n2.  Second\n\nAfter.\n',
  );
  t.equal(
    wordpressToMarkdown('One line\nnext line\n\nNew paragraph').markdown,
    'One line  \nnext line\n\nNew paragraph\n',
  );
  t.equal(wordpressToMarkdown('<pre>a\n\n  b</pre>').markdown, '```\na\n\n  b\n```\n', '<pre> kept whole');
});

t.test('categories of one name under different parents stay apart, and posts land in theirs', async (t) => {
  const database = await sharedDatabaseUrl(t);
  const imported = await importFile(
    t,
    database,
    wxr(post(10, 'council-vote', 'local-uk', 'UK story') + post(11, 'city-hall', 'local-us', LIST_POST)),
  );
  t.equal(imported.code, 0, imported.stdout + imported.stderr);
  const { call } = await buildTestApp(t, storeAt(database));
  const sections = (await call('GET', '/v1/sections?perPage=100')).json.data;
  const locals = sections.filter((section: { name: string }) => section.name === 'Local');
  t.equal(locals.length, 2, 'two sections named Local');
  const parentOf = (slug: string) => sections.find((section: { slug: string }) => section.slug === slug).id;
  t.same(
    locals.map((section: { parentId: number }) => section.parentId).sort(),
    [parentOf('uk'), parentOf('us')].sort(),
  );
  const usStory = (await call('GET', '/v1/articles/city-hall')).json;
  t.equal(usStory.section.slug, 'local-us', 'filed under the second Local, not the first');
  t.match(usStory.body, /- {3}One\n- {3}Two\n- {3}Three\n- {3}Four/);
  t.equal((await call('GET', '/v1/articles/council-vote')).json.section.slug, 'local-uk');
  const again = await importFile(t, database, wxr(post(10, 'council-vote', 'local-uk', 'UK story')));
  t.match(again.stdout, /section\s+0\s+0\s+4/, 'a second run finds each section again');
});

t.test('an export with an external entity stops with one clear line, nothing written', async (t) => {
  const database = await sharedDatabaseUrl(t);
  const hostile = `<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&secret;</title></channel></rss>`;
  const result = await importFile(t, database, hostile);
  t.equal(result.code, 1);
  t.equal(
    result.stderr,
    `${result.file}: not an export this importer reads (External entities are not supported)\n`,
  );
  t.notMatch(result.stderr, /\n\s+at /, 'no stack trace');
  t.notMatch(result.stdout + result.stderr, /root:/, 'and the file was never read');
});
