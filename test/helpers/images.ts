import { crc32 } from 'node:zlib';
import sharp from 'sharp';

// Photographs for media tests, made here rather than stored: each carries what a real one
// from a phone would (GPS, the owner, the camera, an orientation).

/** Strings planted in the EXIF of `phonePhoto`: no public byte may carry any of them. */
export const PRIVATE_EXIF = ['Wilhelmina Owner', 'Owner Copyright 2026', 'SERIAL-0042'];

/** A JPEG as a phone writes it: stored landscape, EXIF-rotated to portrait, with GPS and owner details. */
export function phonePhoto(width = 3000, height = 2000): Promise<Buffer> {
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .jpeg({ quality: 80 })
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Artist: PRIVATE_EXIF[0] ?? '', Copyright: PRIVATE_EXIF[1] ?? '', Make: 'PhoneCo', Model: 'P1' },
      IFD2: { BodySerialNumber: PRIVATE_EXIF[2] ?? '' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '51/1 30/1 2644/100',
        GPSLongitudeRef: 'W',
        GPSLongitude: '0/1 7/1 3984/100',
      },
    })
    .toBuffer();
}

export const pngWithAlpha = () =>
  sharp({ create: { width: 800, height: 600, channels: 4, background: { r: 200, g: 0, b: 0, alpha: 0.4 } } })
    .png()
    .toBuffer();

export const tiff = () =>
  sharp({ create: { width: 700, height: 500, channels: 3, background: '#224466' } })
    .tiff()
    .toBuffer();

/** HEIF with AV1 inside (what this machine's libvips can write and read). */
export const heifAv1 = () =>
  sharp({ create: { width: 640, height: 480, channels: 3, background: '#88aa00' } })
    .heif({ compression: 'av1' })
    .toBuffer();

/** A tiny PNG whose header claims `width` × `height` pixels: a decompression bomb. */
export async function pixelBomb(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(
    await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000000' } })
      .png()
      .toBuffer(),
  );
  // IHDR starts at byte 8: length (4), "IHDR" (4), width (4), height (4) ... then its CRC.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

export const svgWithScript = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script><rect width="10" height="10"/></svg>',
);

/** A multipart/form-data body with a `file` part and text fields. */
export function multipart(
  file: { data: Buffer; filename: string; type: string },
  fields: Record<string, string> = {},
) {
  const boundary = `----broadsheet${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    ),
    file.data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Whether served bytes carry anything personal: EXIF at all, or any planted string. */
export async function personalIn(bytes: Buffer): Promise<string[]> {
  const found = PRIVATE_EXIF.filter((text) => bytes.includes(text));
  const metadata = await sharp(bytes).metadata();
  if (metadata.exif) found.push('an EXIF block');
  if (metadata.xmp) found.push('an XMP block');
  if (metadata.iptc) found.push('an IPTC block');
  return found;
}
