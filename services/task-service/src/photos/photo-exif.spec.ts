import { describe, expect, it } from '@jest/globals';
import { cameraJpeg, plainPng } from '../../../../test/support/photos';
import { NO_EXIF, readPhotoExif } from './photo-exif';

describe(readPhotoExif.name, () => {
  it('reads the position and the capture time with its offset', async () => {
    const exif = await readPhotoExif(await cameraJpeg({ at: { lon: 1.55, lat: 42.52 }, takenAt: new Date('2026-11-27T09:30:00Z') }));
    expect(exif.lon).toBeCloseTo(1.55, 5);
    expect(exif.lat).toBeCloseTo(42.52, 5);
    expect(exif.takenAt?.toISOString()).toBe('2026-11-27T09:30:00.000Z');
    expect(exif.timeZone).toBe('offset');
  });

  it('reads southern and western positions as negative', async () => {
    const exif = await readPhotoExif(await cameraJpeg({ at: { lon: -3.7, lat: -40.4 } }));
    expect(exif.lon).toBeCloseTo(-3.7, 5);
    expect(exif.lat).toBeCloseTo(-40.4, 5);
    expect(exif.takenAt).toBeNull();
  });

  it('says nothing for a photo without EXIF, and for bytes that are no image', async () => {
    expect(await readPhotoExif(await plainPng())).toEqual(NO_EXIF);
    expect(await readPhotoExif(Buffer.from('not an image at all'))).toEqual(NO_EXIF);
  });
});
