import { describe, expect, it } from '@jest/globals';
import { EvidenceFacts, evaluateEvidence } from './evidence-checks';

const now = new Date('2026-11-27T12:00:00Z');
const facts = (over: Partial<EvidenceFacts>): EvidenceFacts => ({
  photoCount: 2,
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
    ]);
  });

  it.each([
    ['no photo', { photoCount: 0 }, ['photos']],
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
