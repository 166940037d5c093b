import t from 'tap';
import { loadConfig, parseDatabaseUrl } from '../src/config.js';

t.test('defaults need nothing set', async (t) => {
  t.match(loadConfig({}), {
    port: 3000,
    host: '127.0.0.1',
    databaseFile: './data/broadsheet.db',
    adminKey: undefined,
    logLevel: 'info',
    bodyLimit: 1_048_576,
    rateLimit: { anonymous: 600, comments: 20 },
  });
});

t.test('environment values are converted and checked', async (t) => {
  const config = loadConfig({
    PORT: '8080',
    LOG_LEVEL: 'debug',
    BODY_LIMIT: '2048',
    TRUST_PROXY: 'true',
    UNRELATED: 'x',
  });
  t.match(config, { port: 8080, logLevel: 'debug', bodyLimit: 2048, trustProxy: true });
  t.throws(() => loadConfig({ PORT: '70000' }), /PORT: must be <= 65535/);
  t.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
  t.throws(
    () => loadConfig({ BROADSHEET_ADMIN_KEY: 'short' }),
    /BROADSHEET_ADMIN_KEY: must not have fewer than 32/,
  );
  // Refused (or the test fails), and the message never repeats the secret.
  const refusal = t.throws(() => loadConfig({ BROADSHEET_ADMIN_KEY: 'secret-too-short', PORT: 'x' }));
  t.match(String(refusal), /BROADSHEET_ADMIN_KEY/, 'the refusal names the variable');
  t.notMatch(String(refusal), /secret-too-short/, 'the secret never appears in the message');
});

t.test('DATABASE_URL forms', async (t) => {
  t.same(parseDatabaseUrl('file:./data/x.db'), { kind: 'sqlite', file: './data/x.db' });
  t.same(parseDatabaseUrl('file:/abs/x.db'), { kind: 'sqlite', file: '/abs/x.db' });
  t.same(parseDatabaseUrl(':memory:'), { kind: 'sqlite', file: ':memory:' });
  t.same(parseDatabaseUrl('./plain.db'), { kind: 'sqlite', file: './plain.db' });
  t.same(parseDatabaseUrl('postgres://u:p@h:5432/db'), { kind: 'postgres', url: 'postgres://u:p@h:5432/db' });
  t.same(parseDatabaseUrl('postgresql://h/db'), { kind: 'postgres', url: 'postgresql://h/db' });
  t.throws(() => parseDatabaseUrl('mysql://h/db'), /unsupported scheme/);
  t.throws(() => parseDatabaseUrl('postgres://u:secret@h'), /needs a host and a database/);
  const noHost = t.throws(() => loadConfig({ DATABASE_URL: 'postgres://u:secret-password@/' }));
  t.match(String(noHost), /DATABASE_URL/, 'a PostgreSQL URL without host is refused');
  t.notMatch(String(noHost), /secret-password/, 'the password never appears in the message');
  t.match(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }), {
    postgresUrl: 'postgres://u@h/db',
    databaseFile: '',
  });
});
