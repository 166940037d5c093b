import t from 'tap';
import { deriveSlug, isId, SLUG_MAX_LENGTH, uniqueSlug } from '../../src/lib/slug.js';

t.test('slugs are folded, lower-case, hyphenated and never all digits', async (t) => {
  const cases: [string, string][] = [
    ['Zelenskyy’s Call', 'zelenskyys-call'],
    [
      'Zelenskyy’s Call for Guaranteed Security: A Turning Point for Ukraine?',
      'zelenskyys-call-for-guaranteed-security-a-turning-point-for-ukraine',
    ],
    ['Café Straße', 'cafe-strasse'],
    ['Київ', 'kiyiv'],
    ['  --Hello   World--  ', 'hello-world'],
    ['GlobalSecurity', 'globalsecurity'],
    ['2026', 'n-2026'],
    ['!!!', 'untitled'],
  ];
  for (const [input, slug] of cases) t.equal(deriveSlug(input), slug, input);
  const long = deriveSlug('word '.repeat(100));
  t.ok(long.length <= SLUG_MAX_LENGTH);
  t.notOk(long.endsWith('-'));
});

t.test('uniqueSlug suffixes -2, -3 ...', async (t) => {
  const taken = new Set(['live', 'live-2']);
  t.equal(
    uniqueSlug('live', (s) => taken.has(s)),
    'live-3',
  );
  t.equal(
    uniqueSlug('free', (s) => taken.has(s)),
    'free',
  );
});

t.test('ids are digits', async (t) => {
  t.ok(isId('42'));
  t.notOk(isId('n-42'));
  t.notOk(isId('4'.repeat(20)), 'too long to be an id');
});
