/** The seed article as the OpenAPI document shows it (body shortened to its first section). */
const toc = [
  'Introduction',
  'Why the demand matters',
  'What Zelenskyy is actually asking for',
  'Why this could be a turning point',
  'But major hurdles remain',
  'What comes next – key scenarios',
  'Final thoughts',
].map((text) => ({
  level: 2,
  text,
  id: text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, ''),
}));

const tagNames = [
  'Ukraine',
  'Zelenskyy',
  'GlobalSecurity',
  'WorldLeaders',
  'Geopolitics',
  'UkraineWar',
  'SecurityGuarantees',
  'InternationalDiplomacy',
  'BreakingNews',
  'EasternEurope',
];

const introduction =
  'In recent weeks, Volodymyr Zelenskyy has intensified his appeal for legally binding security guarantees for Ukraine—a demand that may mark a watershed moment in the country’s four-year struggle with Russia and its long-term place in the Euro-Atlantic security architecture.';

export const articleSummaryExample = {
  id: 1,
  slug: 'zelenskyys-call-for-guaranteed-security-a-turning-point-for-ukraine',
  title: 'Zelenskyy’s Call for Guaranteed Security: A Turning Point for Ukraine?',
  subtitle: null,
  excerpt:
    'In recent weeks, Volodymyr Zelenskyy has intensified his appeal for legally binding security guarantees for Ukraine—a demand that may mark a watershed moment in the country’s four-year struggle with…',
  wordCount: 1010,
  readingTimeMinutes: 5,
  status: 'published',
  section: { id: 1, slug: 'breaking-news', name: 'Breaking News' },
  tags: tagNames.map((name, index) => ({ id: index + 1, slug: name.toLowerCase(), name })),
  authors: [{ id: 1, slug: 'ada-reporter', name: 'Ada Reporter' }],
  featuredImage: null,
  corrections: [],
  expiresAt: null,
  byline: 'Ada Reporter',
  author: 'Ada Reporter',
  publishedAt: '2026-11-26T08:00:00.000Z',
  commentsEnabled: true,
  commentCount: 1,
  version: 1,
  createdAt: '2026-11-26T08:00:00.000Z',
  updatedAt: '2026-11-26T08:00:00.000Z',
};

export const articleExample = {
  ...articleSummaryExample,
  body: `## Introduction\n\n${introduction}\n`,
  bodyHtml: `<h2 id="introduction">Introduction</h2>\n<p>${introduction}</p>\n`,
  toc,
};
