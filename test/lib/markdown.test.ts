import t from 'tap';
import { deriveExcerpt, firstParagraphText, truncateAtWord } from '../../src/lib/markdown.js';

t.test('the first paragraph as plain text', async (t) => {
  t.equal(
    firstParagraphText('## Title\n\nSome *emphasis* and `code`\nand [a link](http://x).\n\nNext.'),
    'Some emphasis and code and a link.',
  );
  t.equal(firstParagraphText('## Only a heading'), '');
  t.equal(
    firstParagraphText('<script>alert(1)</script>\n\nText'),
    '<script>alert(1)</script>',
    'raw HTML is text, not markup',
  );
});

t.test('excerpts cut at a word with an ellipsis', async (t) => {
  t.equal(truncateAtWord('short'), 'short');
  const cut = truncateAtWord(`${'word '.repeat(60)}end`, 50);
  t.ok(cut.length <= 50);
  t.ok(cut.endsWith('word…'));
  t.equal(deriveExcerpt(''), '');
});
