import { describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { cameraJpeg, plainPng } from '../../../../test/support/photos';
import { declaredPhotoType, sniffPhotoType, truncationOf } from './photo-type';

const webp = () => sharp({ create: { width: 40, height: 30, channels: 3, background: 'green' } }).webp().toBuffer();

/** A minimal HEIF container: an ftyp box with the heic brand and an mdat box. */
function heic(mdatBytes = 16): Buffer {
  const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic'), Buffer.from([0, 0, 0, 0]), Buffer.from('mif1heic')]);
  const mdat = Buffer.concat([Buffer.alloc(4), Buffer.from('mdat'), Buffer.alloc(mdatBytes, 7)]);
  mdat.writeUInt32BE(8 + mdatBytes, 0);
  return Buffer.concat([ftyp, mdat]);
}

describe(sniffPhotoType.name, () => {
  it('tells the four formats from their bytes', async () => {
    expect(sniffPhotoType(await cameraJpeg())).toBe('image/jpeg');
    expect(sniffPhotoType(await plainPng())).toBe('image/png');
    expect(sniffPhotoType(await webp())).toBe('image/webp');
    expect(sniffPhotoType(heic())).toBe('image/heic');
  });

  it('refuses what is not a photo format the store takes', async () => {
    expect(sniffPhotoType(Buffer.from('GIF89a\x01\x00\x01\x00'))).toBeNull();
    expect(sniffPhotoType(Buffer.from('%PDF-1.7\n'))).toBeNull();
    expect(sniffPhotoType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    // AVIF is an ISO BMFF image too, but not one the store takes.
    expect(sniffPhotoType(await sharp({ create: { width: 8, height: 8, channels: 3, background: 'red' } }).avif().toBuffer())).toBeNull();
    expect(sniffPhotoType(Buffer.alloc(0))).toBeNull();
  });
});

describe(declaredPhotoType.name, () => {
  it('normalises the content type a client sends', () => {
    expect(declaredPhotoType('image/JPEG; charset=binary')).toBe('image/jpeg');
    expect(declaredPhotoType('image/jpg')).toBe('image/jpeg');
    expect(declaredPhotoType('image/heif')).toBe('image/heic');
    expect(declaredPhotoType('application/octet-stream')).toBeNull();
    expect(declaredPhotoType(undefined)).toBeNull();
    expect(declaredPhotoType('image/gif')).toBe('image/gif');
  });
});

describe(truncationOf.name, () => {
  it('accepts whole files, with data after their end (a phone trailer)', async () => {
    const jpeg = await cameraJpeg({ at: { lon: 1.5, lat: 42.5 } });
    expect(truncationOf(jpeg, 'image/jpeg')).toBeNull();
    expect(truncationOf(Buffer.concat([jpeg, Buffer.from('trailer')]), 'image/jpeg')).toBeNull();
    expect(truncationOf(await plainPng(), 'image/png')).toBeNull();
    expect(truncationOf(await webp(), 'image/webp')).toBeNull();
    expect(truncationOf(heic(), 'image/heic')).toBeNull();
  });

  it.each([0.2, 0.6, 0.99])('finds a JPEG cut at %p of its length', async (share) => {
    const jpeg = await cameraJpeg({ at: { lon: 1.5, lat: 42.5 } });
    expect(truncationOf(jpeg.subarray(0, Math.floor(jpeg.length * share)), 'image/jpeg')).toMatch(/^the JPEG/);
  });

  it('finds cut PNG, WebP and HEIC files', async () => {
    const png = await plainPng();
    expect(truncationOf(png.subarray(0, png.length - 6), 'image/png')).toMatch(/PNG ends after \d+ bytes/);
    const image = await webp();
    expect(truncationOf(image.subarray(0, image.length - 4), 'image/webp')).toMatch(/WebP is \d+ bytes but says it is \d+/);
    const h = heic();
    expect(truncationOf(h.subarray(0, h.length - 3), 'image/heic')).toMatch(/inside its mdat box/);
  });
});
