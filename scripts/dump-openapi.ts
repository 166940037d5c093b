/**
 * Writes the OpenAPI document the app generates (no server, in-memory database).
 *   tsx scripts/dump-openapi.ts openapi/openapi.json           write it
 *   tsx scripts/dump-openapi.ts openapi/openapi.json --check   exit 1 if the file differs
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

async function generateOpenApi(): Promise<string> {
  // The default configuration, on a scratch database, with nothing running in the background.
  const app = await buildApp(
    loadConfig({ DATABASE_URL: ':memory:', LOG_LEVEL: 'silent', BACKGROUND_JOBS: 'false' }),
  );
  await app.ready();
  const text = `${JSON.stringify(app.swagger(), null, 2)}\n`;
  await app.close();
  return text;
}

const [file = 'openapi/openapi.json', flag] = process.argv.slice(2);
const generated = await generateOpenApi();
if (flag === '--check') {
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    // a missing file is drift too
  }
  if (committed !== generated) {
    process.stderr.write(`${file} is out of date: run \`npm run openapi\` and commit the result.\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`${file} matches the code.\n`);
  }
} else {
  writeFileSync(file, generated);
  process.stdout.write(`wrote ${file}\n`);
}
