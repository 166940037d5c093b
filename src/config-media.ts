import { Type } from 'typebox';

// The MEDIA_* settings (config.ts reads them with the rest): upload limits, rendition sizes,
// and this node's rendition cache.

export const MEDIA_ENV = {
  MEDIA_MAX_BYTES: Type.Integer({
    minimum: 1024,
    default: 26_214_400,
    description: 'Largest image upload, bytes (413 beyond)',
  }),
  MEDIA_MAX_PIXELS: Type.Integer({
    minimum: 1,
    default: 100_000_000,
    description:
      'Most pixels an uploaded image may claim (width × height, from its header): a decompression bomb is refused before it is decoded',
  }),
  MEDIA_WIDTHS: Type.String({
    pattern: '^\\d{2,5}(,\\d{2,5}){0,15}$',
    default: '320,640,960,1280,1920,2560',
    description: 'The rendition widths (px), comma-separated: no other width is ever generated',
  }),
  MEDIA_CROPS: Type.String({
    pattern: '^\\d{1,2}:\\d{1,2}(,\\d{1,2}:\\d{1,2}){0,7}$',
    default: '1:1,4:3,16:9',
    description: 'The crop aspects, comma-separated, cut around each image’s focal point',
  }),
  MEDIA_CACHE_DIR: Type.String({
    minLength: 1,
    default: './data/media-cache',
    description: 'Where this node keeps the renditions it generated (a cache: safe to delete)',
  }),
  MEDIA_CACHE_BYTES: Type.Integer({
    minimum: 0,
    default: 1_073_741_824,
    description: 'Most bytes of renditions kept on disk; the least recently served go first',
  }),
};

export interface MediaSettings {
  maxBytes: number;
  maxPixels: number;
  widths: number[];
  /** Aspects as width:height, e.g. { name: '16x9', width: 16, height: 9 }. */
  crops: { name: string; width: number; height: number }[];
  cacheDir: string;
  cacheBytes: number;
}

/** MEDIA_CROPS's `16:9` as `{ name: '16x9', width: 16, height: 9 }`. */
export const parseCrops = (text: string) =>
  text.split(',').map((aspect) => {
    const [width, height] = aspect.split(':').map(Number);
    return { name: `${width}x${height}`, width: width ?? 1, height: height ?? 1 };
  });

/** The media settings from the environment, as validated against MEDIA_ENV. */
export const mediaSettingsOf = (env: {
  MEDIA_MAX_BYTES: number;
  MEDIA_MAX_PIXELS: number;
  MEDIA_WIDTHS: string;
  MEDIA_CROPS: string;
  MEDIA_CACHE_DIR: string;
  MEDIA_CACHE_BYTES: number;
}): MediaSettings => ({
  maxBytes: env.MEDIA_MAX_BYTES,
  maxPixels: env.MEDIA_MAX_PIXELS,
  widths: [...new Set(env.MEDIA_WIDTHS.split(',').map(Number))].sort((a, b) => a - b),
  crops: parseCrops(env.MEDIA_CROPS),
  cacheDir: env.MEDIA_CACHE_DIR,
  cacheBytes: env.MEDIA_CACHE_BYTES,
});
