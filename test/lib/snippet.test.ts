import t from 'tap';
import { buildSnippet, type SearchTerm } from '../../src/lib/snippet.js';
import { seededRandom } from '../helpers/random.js';

// A plain field (ASCII letters, typographic punctuation) is read from just before its earliest
// possible match; any other field is read from its start. Both must cut the same snippet.

const word = (token: string): SearchTerm => ({ tokens: [token], prefix: false });

t.test('a match deep in a long body: the lead before it, an ellipsis on both sides', async (t) => {
  const body = `${'Filler words here. '.repeat(100)}The harbour reopened on Monday after the storm, said the port’s director. ${'More text. '.repeat(50)}`;
  const snippet = buildSnippet([body, '', '', 'Title'], [word('harbour')], 'mark');
  t.match(snippet, /^…words here\. Filler words here\. The <mark>harbour<\/mark> reopened/);
  t.match(snippet, /…$/);
});

t.test('a candidate inside a longer word is not a match', async (t) => {
  const body = `${'Lorem ipsum dolor. '.repeat(40)}theharbour is one word; the harbour is two.`;
  t.match(buildSnippet([body], [word('harbour')], 'b'), /the <b>harbour<\/b> is two\.$/);
});

t.test('a field without the term is not read; the next field is', async (t) => {
  const snippet = buildSnippet(
    ['No match in this body at all.', '', '', 'Harbour news'],
    [word('harbour')],
    'b',
  );
  t.equal(snippet, '<b>Harbour</b> news');
});

t.test('a phrase whose first word appears alone earlier matches where the phrase is', async (t) => {
  const body = `${'security alone. '.repeat(30)}They asked for security guarantees today.`;
  const phrase: SearchTerm = { tokens: ['security', 'guarantees'], prefix: false };
  t.match(buildSnippet([body], [phrase], 'b'), /for <b>security guarantees<\/b> today\.$/);
});

t.test('plain and non-plain fields cut the same snippets', async (t) => {
  const random = seededRandom(20261203);
  const vocabulary = [
    'harbour',
    'harbours',
    'river',
    'security',
    'guarantees',
    'local',
    'angle',
    'port',
    'the',
  ];
  const separators = [' ', ' ', ', ', '. ', ' — ', ' “', '” ', '’s '];
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)] as T;
  const terms: SearchTerm[][] = [
    [word('harbour')],
    [{ tokens: ['harbour'], prefix: true }],
    [{ tokens: ['security', 'guarantees'], prefix: false }],
    [word('river'), { tokens: ['local', 'angle'], prefix: false }],
  ];
  let compared = 0;
  for (let i = 0; i < 400; i++) {
    const length = Math.floor(random() * 600);
    let text = '';
    for (let w = 0; w < length; w++) text += (random() < 0.1 ? pick(vocabulary) : `w${w}`) + pick(separators);
    // A tail that never matches keeps the window away from the last word, then one accented
    // word: the same snippet, but the field is no longer plain and is read from its start.
    const tail = Array.from({ length: 40 }, (_, w) => `tail${w}`).join(' ');
    const plain = `${text}${tail}`;
    const accented = `${plain} café`;
    const query = pick(terms);
    const fast = buildSnippet([plain, 'x', '', 'Title'], query, 'b');
    const full = buildSnippet([accented, 'x', '', 'Title'], query, 'b');
    t.equal(fast, full, `text ${i}`, { diagnostic: true });
    compared++;
  }
  t.equal(compared, 400);
});
