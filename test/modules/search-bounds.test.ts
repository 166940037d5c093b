import { monitorEventLoopDelay } from 'node:perf_hooks';
import t from 'tap';
import { parseSearch } from '../../src/lib/search-query.js';
import { buildTestApp, sharedStore } from '../helpers/app.js';
import { writeSearchCorpus } from '../helpers/search-corpus.js';

t.test('what one query may ask of the index is bounded, and a refusal says why', async (t) => {
  t.throws(() => parseSearch('t*'), { message: /a prefix needs at least 2 letters before the \*/ });
  t.throws(() => parseSearch('u.s*'), { message: /at least 2 letters/ }, 'the prefix is the last part');
  t.ok(parseSearch('th*'), 'two letters are enough');
  const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');
  t.ok(parseSearch(words(12)));
  t.throws(() => parseSearch(words(13)), { message: /it has 13 words; at most 12 are searched for at once/ });
  t.throws(
    () => parseSearch(`"${'of the '.repeat(25).trim()}"`),
    { message: /it has 50 words/ },
    'phrase words count',
  );
  t.throws(
    () => parseSearch(`${words(8)} OR ${words(5)}`),
    { message: /13 words/ },
    'both sides of OR count',
  );
  t.equal(
    parseSearch('security guarantees -draft').rankTsquery,
    "('security' | 'guarantees')",
    'PostgreSQL ranks the wanted words ORed: ts_rank compares every pair of ANDed words',
  );
});

// The attack on search, on each store: 2,000 published articles of ~900 words where the
// commonest words are everywhere. Before the fix `t*` held the event loop ~50 s and a phrase of
// 49 common words ~60 s; this test's timeout would stop it long before the last query.
const ATTACKS = [
  't*',
  '"of the"',
  `"${'of the '.repeat(25).trim()}"`,
  'a* b* c* d* e* f* g* h* i* j* k* l*',
  'st* wh* th* of* pr* re* ma* co* de* an* ex* fi*',
  'the of and to a in is that it was for on',
  '"the of and to a in is that it was for"',
  'the OR of OR and',
  'th*',
];

t.test(
  'searches over a large archive of common words answer, or are refused',
  { timeout: 120_000 },
  async (t) => {
    const store = sharedStore(t);
    const { call } = await buildTestApp(
      t,
      { cache: { maxAge: 60, staleWhileRevalidate: 300, responseBytes: 0 } },
      store,
    );
    await writeSearchCorpus(store);
    // A write in this process: the app reads the publication state again.
    await call('POST', '/v1/sections', { body: { name: 'World' } });
    for (const q of ATTACKS) {
      for (const path of ['/v1/search', '/v1/articles']) {
        const delays = monitorEventLoopDelay({ resolution: 5 });
        delays.enable();
        const started = performance.now();
        const response = await call('GET', `${path}?q=${encodeURIComponent(q)}`, { key: null });
        delays.disable();
        const took = `${Math.round(performance.now() - started)} ms, longest stall ${Math.round(delays.max / 1e6)} ms`;
        if (response.status === 400) {
          t.match(
            response.json.detail,
            /^Invalid search query: /,
            `${path} ${q}: refused, saying why (${took})`,
          );
        } else {
          t.equal(response.status, 200, `${path} ${q}: answered (${took})`);
          t.ok(response.json.meta.total >= 0);
        }
      }
    }
    const everything = await call('GET', '/v1/search?q=the', { key: null });
    t.equal(everything.json.meta.total, 2000, 'the corpus is there: every article has "the"');
    t.equal(
      (await call('GET', `/v1/search?q=${encodeURIComponent('"of the"')}`, { key: null })).json.meta.total >
        1000,
      true,
    );
  },
);
