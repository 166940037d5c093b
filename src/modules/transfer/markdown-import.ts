import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { systemActor } from '../../lib/audience.js';
import type { Services } from '../services.js';
import { asPatch } from './article-input.js';
import { articleFromMarkdown } from './front-matter.js';
import { uploadLocalImages } from './markdown-images.js';
import type { ImportReport } from './report.js';

/** Every `.md` file under `dir`, in a stable order. */
function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/**
 * Imports a folder of Markdown files with front matter (static-site generators' format) through
 * the same repositories as the API. Each file is one transaction, matched on its path
 * (`md:<path>`) so a second run changes only what changed; a section named but missing is
 * created; one bad file is reported and the rest go on.
 */
export async function importMarkdown(services: Services, dir: string, report: ImportReport) {
  const files = markdownFiles(dir);
  const at = () => services.now().toISOString();
  const context = () => ({ audience: { seesUnpublished: true, now: at() }, actor: systemActor('import') });
  const tagCount = async () =>
    (await services.tags.list({ page: 1, perPage: 1, sort: [] }, context().audience)).total;
  report.start(files.length, 'markdown');
  for (const file of files) {
    const source = `md:${relative(dir, file).split('\\').join('/')}`;
    try {
      const input = articleFromMarkdown(readFileSync(file, 'utf8'));
      const existingId = await services.articles.idOfSource(source);
      const current =
        existingId === undefined ? undefined : await services.articles.get(existingId, context().audience);
      input.body = await uploadLocalImages(services, report, dir, file, input.body ?? '');
      const body = input.body;
      // Rendering is slow and asynchronous: done before the item's transaction, and only when needed.
      const rendering = current?.body === body ? undefined : await services.renderer.render(body);
      const tagsBefore = await tagCount();
      await services.transaction(async () => {
        if (
          typeof input.section === 'string' &&
          (await services.sections.resolve(input.section)) === undefined
        ) {
          await services.sections.create({ name: input.section }, context().audience);
          report.count('section', 'created');
        }
        if (current) {
          const updated = await services.articles.update(current.id, asPatch(input), context(), rendering);
          report.count('article', updated.version === current.version ? 'unchanged' : 'updated');
        } else if (rendering) {
          // (A new article always has a rendering: no current body equals its body.)
          await services.articles.create(input, context(), rendering, source);
          report.count('article', 'created');
        }
      });
      const newTags = (await tagCount()) - tagsBefore;
      if (newTags > 0) report.count('tag', 'created', newTags);
    } catch (error) {
      report.fail('article', source, (error as Error).message);
    }
    report.tick();
  }
  report.stop();
}
