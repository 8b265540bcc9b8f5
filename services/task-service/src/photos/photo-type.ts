/** The photo formats the evidence store takes: what phone cameras write. */
export const PHOTO_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/heic', 'image/webp'] as const;
export type PhotoMediaType = (typeof PHOTO_MEDIA_TYPES)[number];

const NAMES: Record<PhotoMediaType, string> = {
  'image/jpeg': 'a JPEG image',
  'image/png': 'a PNG image',
  'image/heic': 'a HEIC image',
  'image/webp': 'a WebP image',
};
export const describeMediaType = (type: PhotoMediaType): string => NAMES[type];

/** ISO BMFF brands of HEIF stills that phones write (ISO/IEC 23008-12; AVIF is left out on purpose). */
const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'mif1', 'msf1']);
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The format of a photo from its first bytes (magic numbers), whatever the file is called or the
 * client says it is; null when it is none of the four.
 */
export function sniffPhotoType(bytes: Buffer): PhotoMediaType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return 'image/png';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  if (bytes.length >= 12 && bytes.toString('latin1', 4, 8) === 'ftyp') {
    const size = bytes.readUInt32BE(0);
    const end = Math.min(size >= 16 ? size : 16, bytes.length);
    const brands = [bytes.toString('latin1', 8, 12)];
    for (let at = 16; at + 4 <= end; at += 4) brands.push(bytes.toString('latin1', at, at + 4));
    // AVIF shares HEIF's mif1 brand but is another codec: it is left out.
    if (!brands.some((b) => b === 'avif' || b === 'avis') && brands.some((b) => HEIF_BRANDS.has(b))) return 'image/heic';
  }
  return null;
}

/**
 * The media type a client declared (`Content-Type`), normalised: parameters dropped, the common
 * aliases mapped (`image/jpg`, `image/pjpeg`, `image/heif`); null when it names no image format
 * (`application/octet-stream`, nothing), in which case the bytes alone decide.
 */
export function declaredPhotoType(contentType: string | undefined): string | null {
  const type = contentType?.split(';')[0].trim().toLowerCase();
  if (!type || type === 'application/octet-stream') return null;
  if (type === 'image/jpg' || type === 'image/pjpeg') return 'image/jpeg';
  if (type === 'image/heif' || type === 'image/heic-sequence' || type === 'image/heif-sequence') return 'image/heic';
  return type;
}

/**
 * Why a photo of a known format is incomplete (a truncated upload or file), or null when its
 * structure reaches its end: a JPEG's segments up to the scan and an end-of-image marker after it,
 * a PNG's chunks up to IEND, a WebP's RIFF size, a HEIC's top-level boxes. Data after the end (a
 * phone's trailer, a motion photo's video) is allowed.
 */
export function truncationOf(bytes: Buffer, type: PhotoMediaType): string | null {
  switch (type) {
    case 'image/jpeg':
      return jpegTruncation(bytes);
    case 'image/png':
      return pngTruncation(bytes);
    case 'image/webp':
      return webpTruncation(bytes);
    case 'image/heic':
      return boxTruncation(bytes);
  }
}

function jpegTruncation(bytes: Buffer): string | null {
  let at = 2;
  for (;;) {
    // Fill bytes (0xFF) may precede a marker (ITU-T T.81 B.1.1.2).
    while (at < bytes.length && bytes[at] === 0xff && bytes[at + 1] === 0xff) at++;
    if (at + 4 > bytes.length) return `the JPEG ends after ${bytes.length} bytes, inside its headers`;
    if (bytes[at] !== 0xff) return `the JPEG has no marker at byte ${at}`;
    const marker = bytes[at + 1];
    const length = bytes.readUInt16BE(at + 2);
    if (at + 2 + length > bytes.length) return `the JPEG ends after ${bytes.length} bytes, inside a segment that needs ${at + 2 + length}`;
    at += 2 + length;
    if (marker === 0xda) break; // start of scan: entropy-coded data follows
  }
  const eoi = bytes.indexOf(Buffer.from([0xff, 0xd9]), at);
  return eoi === -1 ? `the JPEG's image data stops after ${bytes.length} bytes without its end-of-image marker` : null;
}

function pngTruncation(bytes: Buffer): string | null {
  let at = 8;
  while (at + 8 <= bytes.length) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const next = at + 12 + length;
    if (next > bytes.length) return `the PNG ends after ${bytes.length} bytes, inside its ${type} chunk`;
    if (type === 'IEND') return null;
    at = next;
  }
  return `the PNG ends after ${bytes.length} bytes without its IEND chunk`;
}

function webpTruncation(bytes: Buffer): string | null {
  const declared = bytes.readUInt32LE(4) + 8;
  return declared > bytes.length ? `the WebP is ${bytes.length} bytes but says it is ${declared}` : null;
}

function boxTruncation(bytes: Buffer): string | null {
  let at = 0;
  while (at + 8 <= bytes.length) {
    const small = bytes.readUInt32BE(at);
    const size = small === 1 && at + 16 <= bytes.length ? Number(bytes.readBigUInt64BE(at + 8)) : small === 0 ? bytes.length - at : small;
    if (size < 8) return `the HEIC has a malformed box at byte ${at}`;
    if (at + size > bytes.length) return `the HEIC ends after ${bytes.length} bytes, inside its ${bytes.toString('latin1', at + 4, at + 8)} box`;
    at += size;
  }
  return at === bytes.length ? null : `the HEIC ends after ${bytes.length} bytes, inside a box header`;
}
