import { describe, expect, it } from '@jest/globals';
import { EvidenceFacts, PhotoFacts, evaluateEvidence } from './evidence-checks';

const now = new Date('2026-11-27T12:00:00Z');
const linked = (n: number): PhotoFacts => ({ sha256: String(n).repeat(64), uploaded: false, exifHasPosition: false, exifDistanceM: null, exifTakenAt: null, exifTimeZone: null });
const uploaded = (c: string, over: Partial<PhotoFacts> = {}): PhotoFacts => ({
  sha256: c.repeat(64),
  uploaded: true,
  exifHasPosition: true,
  exifDistanceM: 20,
  exifTakenAt: new Date('2026-11-27T10:30:00Z'),
  exifTimeZone: 'offset',
  ...over,
});
const facts = (over: Partial<EvidenceFacts>): EvidenceFacts => ({
  photos: [uploaded('a'), uploaded('b')],
  distanceM: 12.4,
  accuracyM: 8,
  capturedAt: new Date('2026-11-27T11:00:00Z'),
  acceptedAt: new Date('2026-11-27T09:00:00Z'),
  now,
  ...over,
});
const limits = { maxDistanceM: 100, clockSkewS: 300 };
const failed = (f: Partial<EvidenceFacts>) => evaluateEvidence(facts(f), limits).filter((c) => !c.passed).map((c) => c.check);

describe(evaluateEvidence.name, () => {
  it('passes good evidence with readable details', () => {
    expect(evaluateEvidence(facts({}), limits)).toEqual([
      { check: 'photos', passed: true, detail: '2 photos' },
      { check: 'position', passed: true, detail: '12 m from the segment (limit 100 m, GPS accuracy 8 m)' },
      { check: 'timing', passed: true, detail: 'taken 2026-11-27T11:00:00.000Z, after acceptance' },
      { check: 'exif', passed: true, detail: '2 uploaded photos consistent with the fix' },
    ]);
  });

  it('checks each uploaded photo\'s own position and time, naming the photos that contradict the fix', () => {
    const far = uploaded('c', { exifDistanceM: 2000 });
    const early = uploaded('d', { exifTakenAt: new Date('2026-11-27T08:00:00Z') });
    const [, , , exif] = evaluateEvidence(facts({ photos: [uploaded('a'), far, early] }), limits);
    expect(exif).toEqual({
      check: 'exif',
      passed: false,
      detail: 'photo cccccccc taken 2000 m from the segment (limit 100 m); photo dddddddd taken 2026-11-27T08:00:00.000Z, before acceptance at 2026-11-27T09:00:00.000Z',
      photos: ['c'.repeat(64), 'd'.repeat(64)],
    });
  });

  it('notes photos without EXIF and linked ones without failing them', () => {
    const bare = uploaded('e', { exifHasPosition: false, exifDistanceM: null, exifTakenAt: null, exifTimeZone: null });
    const checks = evaluateEvidence(facts({ photos: [bare, linked(1)] }), limits);
    expect(checks[0]).toEqual({ check: 'photos', passed: true, detail: '2 photos, 1 linked by URL and not uploaded' });
    expect(checks[3]).toEqual({ check: 'exif', passed: true, detail: '1 uploaded photo consistent with the fix; photo eeeeeeee has no EXIF position; photo eeeeeeee has no EXIF time' });
    expect(evaluateEvidence(facts({ photos: [linked(1)] }), limits)[3]).toMatchObject({ passed: true, detail: 'no uploaded photo: nothing to check' });
  });

  it('gives a camera time without its zone the widest offsets before calling it early or late', () => {
    const local = (at: string) => [uploaded('f', { exifTakenAt: new Date(at), exifTimeZone: 'unknown' })];
    expect(failed({ photos: local('2026-11-26T19:30:00Z') })).toEqual([]);
    expect(failed({ photos: local('2026-11-26T18:59:00Z') })).toEqual(['exif']);
    expect(failed({ photos: local('2026-11-28T02:00:00Z') })).toEqual([]);
    expect(failed({ photos: local('2026-11-28T02:06:00Z') })).toEqual(['exif']);
  });

  it.each([
    ['no photo', { photos: [] }, ['photos']],
    ['too far away', { distanceM: 100.5 }, ['position']],
    ['an unknown segment', { distanceM: null }, ['position']],
    ['evidence older than the acceptance', { capturedAt: new Date('2026-11-27T08:59:59Z') }, ['timing']],
    ['evidence from the future beyond the skew', { capturedAt: new Date('2026-11-27T12:05:01Z') }, ['timing']],
    ['a never-accepted task', { acceptedAt: null }, ['timing']],
  ])('flags %s', (_, over, expected) => expect(failed(over)).toEqual(expected));

  it('tolerates a small clock skew and the exact limit distance', () => {
    expect(failed({ capturedAt: new Date('2026-11-27T12:04:59Z'), distanceM: 100 })).toEqual([]);
  });
});
