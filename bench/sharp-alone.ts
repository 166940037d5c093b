/** Renders a photo at each width in each format with sharp alone; prints [format, ms] pairs. */
import { readFileSync } from 'node:fs';
import { render } from '../src/modules/media/images.js';

const [file = '', widths = ''] = process.argv.slice(2);
const photo = readFileSync(file);
const samples: [string, number][] = [];
for (const width of widths.split(',').map(Number)) {
  for (const format of ['webp', 'avif', 'jpg'] as const) {
    const started = performance.now();
    await render(photo, { width, format, originalFormat: 'jpeg' }, 100_000_000);
    samples.push([format, performance.now() - started]);
  }
}
process.stdout.write(JSON.stringify(samples));
