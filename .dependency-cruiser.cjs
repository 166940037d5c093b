/**
 * The layers of src/ and the one way they point (README, "Layout"):
 *   lib  <-  db  <-  modules  <-  composition root (app, services, store, server, cli)
 *   lib  <-  http <- modules
 * Checked in CI by `npm run lint:layers`.
 */
const ROOT = '^src/(app|services|store|server|cli)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'lib-is-plain',
      comment: 'lib/ is plain logic every layer may use: it imports no other layer.',
      severity: 'error',
      from: { path: '^src/lib/' },
      to: { path: `^src/(db|http|modules)/|${ROOT}` },
    },
    {
      name: 'db-knows-no-resource',
      comment:
        'db/ is the stores (connections, dialects, schemas): it imports nothing from http/ or modules/.',
      severity: 'error',
      from: { path: '^src/db/' },
      to: { path: `^src/(http|modules)/|${ROOT}` },
    },
    {
      name: 'http-knows-no-resource',
      comment:
        'http/ is plugins that know no resource and no store: what a plugin needs it is handed by the app.',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: `^src/(db|modules)/|${ROOT}` },
    },
    {
      name: 'modules-not-the-root',
      comment:
        'Modules are handed their services (modules/services.ts); they never import the composition root.',
      severity: 'error',
      from: { path: '^src/modules/' },
      to: { path: ROOT },
    },
    {
      name: 'no-circular',
      comment:
        'Modules whose code imports each other cannot be understood (or loaded) one at a time; sharing a declared type is fine.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
