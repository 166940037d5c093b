import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { ADMIN_KEY } from '../helpers/app.js';
import { testConfig } from '../helpers/config.js';
import { pngWithAlpha } from '../helpers/images.js';

const CHROMIUM = '/usr/bin/chromium';

// .ci/run installs Debian's Chromium; on a developer machine without it the test says so
// (in CI a missing browser fails the test instead).
const skip =
  !existsSync(CHROMIUM) && !process.env.CI ? `needs ${CHROMIUM} (apt-get install -y chromium)` : false;

t.test('Swagger UI: authorise with a key, Try it out on GETs and POSTs', { skip }, async (t) => {
  const app = await buildApp(testConfig({ adminKey: ADMIN_KEY }));
  t.teardown(() => app.close());
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const profile = mkdtempSync(join(tmpdir(), 'broadsheet-chromium-'));
  t.teardown(() => rmSync(profile, { recursive: true, force: true }));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  t.teardown(() => browser.close());
  const page = browser.pages()[0] ?? (await browser.newPage());

  await page.goto(`${baseUrl}/docs/`);
  await page
    .locator('.information-container .title', { hasText: 'Broadsheet API' })
    .waitFor({ timeout: 20_000 });

  await page.locator('.btn.authorize').first().click();
  await page.locator('.auth-container input').first().fill(ADMIN_KEY);
  await page.locator('.auth-btn-wrapper .authorize').first().click();
  await page.locator('.auth-btn-wrapper .btn-done').first().click();

  const create = page.locator('#operations-Sections-createSection');
  await create.locator('.opblock-summary').click();
  await create.locator('.try-out__btn').click();
  await create.locator('textarea.body-param__text').fill('{"name": "From Swagger UI"}');
  await create.locator('.execute').click();
  const created = create.locator('.live-responses-table .response .response-col_status').first();
  await created.waitFor({ timeout: 10_000 });
  t.equal((await created.textContent())?.trim(), '201', 'POST /v1/sections answered 201 in the UI');

  const list = page.locator('#operations-Sections-listSections');
  await list.locator('.opblock-summary').click();
  await list.locator('.try-out__btn').click();
  await list.locator('.execute').click();
  const listed = list.locator('.live-responses-table .response .response-col_status').first();
  await listed.waitFor({ timeout: 10_000 });
  t.equal((await listed.textContent())?.trim(), '200', 'GET /v1/sections answered 200');
  t.match(await list.locator('.live-responses-table .microlight').first().textContent(), /From Swagger UI/);

  const author = page.locator('#operations-Authors-createAuthor');
  await author.locator('.opblock-summary').click();
  await author.locator('.try-out__btn').click();
  await author
    .locator('textarea.body-param__text')
    .fill('{"name": "Ada From Swagger", "jobTitle": "Reporter"}');
  await author.locator('.execute').click();
  const authored = author.locator('.live-responses-table .response .response-col_status').first();
  await authored.waitFor({ timeout: 10_000 });
  t.equal((await authored.textContent())?.trim(), '201', 'POST /v1/authors answered 201 in the UI');
  t.match(
    await author.locator('.live-responses-table .microlight').first().textContent(),
    /ada-from-swagger/,
  );

  const uploadMedia = page.locator('#operations-Media-uploadMedia');
  await uploadMedia.locator('.opblock-summary').click();
  await uploadMedia.locator('.try-out__btn').click();
  await uploadMedia.locator('input[type=file]').setInputFiles({
    name: 'from-swagger.png',
    mimeType: 'image/png',
    buffer: await pngWithAlpha(),
  });
  await uploadMedia.locator('.execute').click();
  const uploaded = uploadMedia.locator('.live-responses-table .response .response-col_status').first();
  await uploaded.waitFor({ timeout: 15_000 });
  t.equal((await uploaded.textContent())?.trim(), '201', 'POST /v1/media (multipart) answered 201 in the UI');
  t.match(
    await uploadMedia.locator('.live-responses-table .microlight').first().textContent(),
    /from-swagger\.png/,
  );

  // For people reading a run: what the page looked like (test-output/ is not committed).
  mkdirSync('test-output', { recursive: true });
  await page.screenshot({ path: 'test-output/swagger-ui.png', fullPage: false });
});
