declare module '@joplin/turndown-plugin-gfm' {
  import type TurndownService from 'turndown';
  /** Tables, strikethrough, task lists and fenced code, as GitHub writes Markdown. */
  export const gfm: TurndownService.Plugin;
}
