/**
 * Media: how long a rendition takes the first time (through the server, which also reads the
 * original from the database and writes the rendition to disk) beside sharp alone on the same
 * core, and how fast a cached rendition is served, through the same wrk as every other row.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import type { Broadsheet } from './servers.js';

/** A 12-megapixel photo as a phone writes it (4032 × 3024, noisy, so it compresses like one). */
export const benchPhoto = () =>
  sharp({
    create: {
      width: 4032,
      height: 3024,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 30 },
    },
  })
    .jpeg({ quality: 85 })
    .toBuffer();

type Timings = Record<string, number>;

/** Mean milliseconds per rendition, by format, from a list of (format, ms). */
const meanByFormat = (samples: [string, number][]): Timings => {
  const sums = new Map<string, number[]>();
  for (const [format, ms] of samples) sums.set(format, [...(sums.get(format) ?? []), ms]);
  return Object.fromEntries(
    [...sums].map(([format, all]) => [format, Math.round(all.reduce((a, b) => a + b, 0) / all.length)]),
  );
};

/** Uploads the photo, then asks for each rendition once, in turn: the first generation, timed. */
export async function firstGeneration(server: Broadsheet, photo: Buffer) {
  const uploaded = await fetch(`${server.base}/v1/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.key}`, 'content-type': 'image/jpeg' },
    body: new Uint8Array(photo),
  });
  const image = (await uploaded.json()) as {
    renditions: { width: number; format: string; url: string }[];
  };
  const samples: [string, number][] = [];
  for (const rendition of image.renditions) {
    const started = performance.now();
    const response = await fetch(`${server.base}${rendition.url}`);
    await response.arrayBuffer();
    samples.push([rendition.format, performance.now() - started]);
  }
  const cachedPath = image.renditions.find((r) => r.format === 'webp' && r.width === 640)?.url ?? '';
  return {
    byFormat: meanByFormat(samples),
    widths: [...new Set(image.renditions.map((r) => r.width))],
    cachedPath,
  };
}

/** sharp alone, pinned to the server's core: the same renditions of the same photo, in turn. */
export async function sharpAlone(photo: Buffer, widths: number[]): Promise<Timings> {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-bench-sharp-'));
  try {
    const file = join(dir, 'photo.jpg');
    writeFileSync(file, photo);
    const { stdout } = await promisify(execFile)('taskset', [
      '-c',
      '0',
      'node',
      '--import',
      'tsx',
      'bench/sharp-alone.ts',
      file,
      widths.join(','),
    ]);
    return meanByFormat(JSON.parse(stdout) as [string, number][]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
