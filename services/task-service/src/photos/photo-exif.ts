import { parse as parseExif } from 'exifr';

/**
 * How sure the photo's time is: `utc` from the GPS time stamp, `offset` from a camera time with its
 * UTC offset (EXIF 2.31 OffsetTimeOriginal), `unknown` from a camera time without one (a local time
 * in an unknown zone, taken as UTC and checked with a zone's worth of slack).
 */
export type PhotoTimeZone = 'utc' | 'offset' | 'unknown';

/** What a photo's own metadata says about where and when it was taken; null fields when it does not say. */
export interface PhotoExif {
  lon: number | null;
  lat: number | null;
  takenAt: Date | null;
  timeZone: PhotoTimeZone | null;
}

export const NO_EXIF: PhotoExif = { lon: null, lat: null, takenAt: null, timeZone: null };

interface RawTags {
  latitude?: number;
  longitude?: number;
  DateTimeOriginal?: string;
  CreateDate?: string;
  OffsetTimeOriginal?: string;
  OffsetTimeDigitized?: string;
  GPSDateStamp?: string;
  GPSTimeStamp?: number[];
}

/** Reads the position and time from a photo's EXIF (JPEG, PNG, HEIC, WebP); a photo without EXIF gives NO_EXIF. */
export async function readPhotoExif(bytes: Buffer): Promise<PhotoExif> {
  let tags: RawTags | undefined;
  try {
    // Raw values: exifr would turn a zone-less camera time into a Date in this server's zone.
    tags = (await parseExif(bytes, { tiff: true, exif: true, gps: true, xmp: false, icc: false, iptc: false, reviveValues: false })) as RawTags | undefined;
  } catch {
    return NO_EXIF;
  }
  if (!tags) return NO_EXIF;
  return { ...positionOf(tags), ...timeOf(tags) };
}

function positionOf(tags: RawTags): Pick<PhotoExif, 'lon' | 'lat'> {
  const { latitude: lat, longitude: lon } = tags;
  const valid = typeof lat === 'number' && typeof lon === 'number' && Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180;
  return valid ? { lon, lat } : { lon: null, lat: null };
}

/** The camera's time with its offset first, then the GPS time (UTC), then the camera's time without a zone. */
function timeOf(tags: RawTags): Pick<PhotoExif, 'takenAt' | 'timeZone'> {
  const local = tags.DateTimeOriginal ?? tags.CreateDate;
  const offset = tags.OffsetTimeOriginal ?? tags.OffsetTimeDigitized;
  if (local && offset) {
    const at = exifDate(local, offset);
    if (at) return { takenAt: at, timeZone: 'offset' };
  }
  if (tags.GPSDateStamp && Array.isArray(tags.GPSTimeStamp) && tags.GPSTimeStamp.length === 3) {
    const [h, m, s] = tags.GPSTimeStamp;
    const at = exifDate(`${tags.GPSDateStamp} ${pad(h)}:${pad(m)}:${pad(Math.floor(s))}`, 'Z');
    if (at) return { takenAt: new Date(at.getTime() + Math.round((s % 1) * 1000)), timeZone: 'utc' };
  }
  if (local) {
    const at = exifDate(local, 'Z');
    if (at) return { takenAt: at, timeZone: 'unknown' };
  }
  return { takenAt: null, timeZone: null };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY:MM:DD HH:MM:SS` (EXIF's format) with an offset (`+01:00`, `Z`); null when either is malformed. */
function exifDate(value: string, offset: string): Date | null {
  const m = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value.trim());
  const zone = offset.trim() === 'Z' ? 'Z' : /^[+-]\d{2}:\d{2}$/.test(offset.trim()) ? offset.trim() : null;
  if (!m || !zone) return null;
  const at = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${zone}`);
  return Number.isNaN(at.getTime()) ? null : at;
}
