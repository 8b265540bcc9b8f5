import { describe, expect, it } from '@jest/globals';
import { arcsBetween, closingCandidates } from './close-along';

describe('arcsBetween', () => {
  const ring = [1, 2, 3, 4, 5, 6, 1];
  it('walks both ways round a closed ring, wrapping past its first node', () => {
    expect(arcsBetween(ring, 5, 2)).toEqual([[5, 6, 1, 2], [5, 4, 3, 2]]);
    expect(arcsBetween(ring, 2, 3)).toEqual([[2, 3], [2, 1, 6, 5, 4, 3]]);
  });
  it('is null when an end is not on the ring, or both ends are one node', () => {
    expect(arcsBetween(ring, 5, 9)).toBeNull();
    expect(arcsBetween(ring, 5, 5)).toBeNull();
  });
});

describe('closingCandidates', () => {
  it('closes an open chain a…b with each arc from b back to a', () => {
    // Chain 3 → 10 → 11 → 6 across the inside of the ring 1…6.
    expect(closingCandidates([3, 10, 11, 6], [1, 2, 3, 4, 5, 6, 1])).toEqual([
      [3, 10, 11, 6, 1, 2, 3],
      [3, 10, 11, 6, 5, 4, 3],
    ]);
  });
  it('gives nothing when the chain does not end on the ring', () => {
    expect(closingCandidates([3, 10, 12], [1, 2, 3, 4, 5, 6, 1])).toEqual([]);
  });
});
