import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { Config } from '../../src/config.js';
import { ADMIN_KEY, buildTestApp } from './app.js';
import { testConfig } from './config.js';
import { multipart } from './images.js';

/** An app with a rendition cache of its own, so a test sees what it generated. */
export async function mediaApp(t: Test, media: Partial<Config['media']> = {}, config: Partial<Config> = {}) {
  const cacheDir = mkdtempSync(join(tmpdir(), 'broadsheet-renditions-'));
  t.teardown(() => rmSync(cacheDir, { recursive: true, force: true }));
  const app = await buildTestApp(t, { ...config, media: { ...testConfig().media, cacheDir, ...media } });
  const upload = (
    file: { data: Buffer; filename: string; type: string },
    fields?: Record<string, string>,
  ) => {
    const body = multipart(file, fields);
    return app.app.inject({
      method: 'POST',
      url: '/v1/media',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': body.contentType },
      payload: body.payload,
    });
  };
  const uploadRaw = (data: Buffer, type: string) =>
    app.app.inject({
      method: 'POST',
      url: '/v1/media',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': type },
      payload: data,
    });
  const fetch = (url: string, headers: Record<string, string> = {}) =>
    app.app.inject({ method: 'GET', url, headers });
  return { ...app, upload, uploadRaw, fetch, cacheDir };
}
