import t from 'tap';
import { readingTimeMinutes, renderMarkdown, truncateAtWord } from '../../src/lib/markdown.js';

t.test('headings get ids, and the toc lists them', async (t) => {
  const rendering = renderMarkdown('# Introduction\n\nText.\n\n## Introduction\n\n### Zelenskyy’s *Call*');
  t.same(rendering.toc, [
    { level: 1, text: 'Introduction', id: 'introduction' },
    { level: 2, text: 'Introduction', id: 'introduction-2' },
    { level: 3, text: 'Zelenskyy’s Call', id: 'zelenskyys-call' },
  ]);
  t.match(rendering.html, '<h1 id="introduction">Introduction</h1>');
  t.match(rendering.html, '<h2 id="introduction-2">');
});

t.test('stored XSS is impossible: raw HTML escaped, script-capable URLs refused', async (t) => {
  const { html } = renderMarkdown(
    [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](vbscript:msgbox) [d](data:text/html,<script>)',
      '![e](data:image/png;base64,AAAA) <javascript:alert(1)> [ok](https://example.org/?q=1&x=2)',
    ].join('\n\n'),
  );
  t.notMatch(html, /<script/i);
  t.notMatch(html, /<img[^>]*onerror/i);
  t.notMatch(html, /href="(javascript|vbscript|data):/i);
  t.notMatch(html, /src="data:/i);
  t.match(html, '&lt;script&gt;alert(1)&lt;/script&gt;');
  t.match(html, '<a href="https://example.org/?q=1&amp;x=2">ok</a>');
});

t.test('words, reading time and excerpt', async (t) => {
  const rendering = renderMarkdown('## Title here\n\nOne two *three* — four.\n\n```\ncode words\n```');
  t.equal(rendering.wordCount, 8, 'heading, paragraph and code words; dashes are not words');
  t.equal(rendering.excerpt, 'One two three — four.');
  t.equal(readingTimeMinutes(0), 1);
  t.equal(readingTimeMinutes(230), 1);
  t.equal(readingTimeMinutes(231), 2);
  t.equal(renderMarkdown('## Only a heading').excerpt, '');
});

t.test('excerpts cut at a word with an ellipsis', async (t) => {
  t.equal(truncateAtWord('short'), 'short');
  const cut = truncateAtWord(`${'word '.repeat(60)}end`, 50);
  t.ok(cut.length <= 50);
  t.ok(cut.endsWith('word…'));
});
