import { createHash } from 'node:crypto';
import sharp from 'sharp';

export interface PhotoSpec {
  /** Where the camera says it was (EXIF GPS), or nowhere. */
  at?: { lon: number; lat: number };
  /** When the camera says it was taken (written as local time with its +00:00 offset, EXIF 2.31). */
  takenAt?: Date;
  width?: number;
  height?: number;
  /** Makes every photo different (its colour), so their digests differ. */
  seed?: number;
}

/** Degrees as EXIF's three rationals (degrees, minutes, hundredths of seconds), the way libvips writes them. */
function dms(value: number): string {
  const abs = Math.abs(value);
  const d = Math.floor(abs);
  const m = Math.floor((abs - d) * 60);
  const s = Math.round(((abs - d) * 60 - m) * 60 * 100);
  return `${d}/1 ${m}/1 ${s}/100`;
}

const exifTime = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ').replace(/-/g, ':');

/**
 * A small JPEG like a phone's camera writes: noise (so it does not compress to nothing) and, when
 * asked, an EXIF position (GPS IFD) and capture time with its offset. libvips writes the EXIF from
 * string values through sharp's `withExif`.
 */
export async function cameraJpeg(spec: PhotoSpec = {}): Promise<Buffer> {
  const { width = 160, height = 120, seed = 1 } = spec;
  const ifd2: Record<string, string> = {};
  const ifd3: Record<string, string> = {};
  if (spec.takenAt) {
    ifd2.DateTimeOriginal = exifTime(spec.takenAt);
    ifd2.OffsetTimeOriginal = '+00:00';
  }
  if (spec.at) {
    ifd3.GPSLatitudeRef = spec.at.lat >= 0 ? 'N' : 'S';
    ifd3.GPSLatitude = dms(spec.at.lat);
    ifd3.GPSLongitudeRef = spec.at.lon >= 0 ? 'E' : 'W';
    ifd3.GPSLongitude = dms(spec.at.lon);
  }
  return sharp({ create: { width, height, channels: 3, background: { r: (seed * 53) % 256, g: (seed * 97) % 256, b: 80 }, noise: { type: 'gaussian', mean: 120, sigma: 20 } } })
    .jpeg({ quality: 80 })
    .withExif({ IFD0: { Make: 'Roadloop test camera' }, IFD2: ifd2, IFD3: ifd3 })
    .toBuffer();
}

export async function plainPng(seed = 1): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: { r: seed % 256, g: 10, b: 200 } } }).png().toBuffer();
}

export const sha256Hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A point `metres` north of another (a degree of latitude is about 111.2 km). */
export const northOf = (p: { lon: number; lat: number }, metres: number) => ({ lon: p.lon, lat: p.lat + metres / 111_195 });
