import { renderMarkdown } from './markdown.js';

// Runs in a worker thread (see render-pool.ts): a long body never blocks the event loop.
export default function render(body: string) {
  return renderMarkdown(body);
}
