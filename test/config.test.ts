import t from 'tap';
import { databaseFileFromUrl, loadConfig } from '../src/config.js';

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
  t.notMatch(
    (() => {
      try {
        loadConfig({ BROADSHEET_ADMIN_KEY: 'secret-too-short', PORT: 'x' });
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })(),
    /secret-too-short/,
    'the secret never appears in the message',
  );
});

t.test('DATABASE_URL forms', async (t) => {
  t.equal(databaseFileFromUrl('file:./data/x.db'), './data/x.db');
  t.equal(databaseFileFromUrl('file:/abs/x.db'), '/abs/x.db');
  t.equal(databaseFileFromUrl(':memory:'), ':memory:');
  t.equal(databaseFileFromUrl('./plain.db'), './plain.db');
  t.throws(() => databaseFileFromUrl('postgres://u@h/db'), /PostgreSQL is not supported yet/);
  t.throws(() => databaseFileFromUrl('mysql://h/db'), /unsupported scheme/);
});
