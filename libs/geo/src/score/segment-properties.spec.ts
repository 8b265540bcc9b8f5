import { describe, expect, it } from '@jest/globals';
import { cliffSideOf } from './segment-properties';

describe(cliffSideOf.name, () => {
  it('names the sides with a drop of at least the cliff drop or a mapped cliff, none in a tunnel or where the terrain is unknown', () => {
    expect(cliffSideOf(25, 24.9, null, false, 25)).toBe('left');
    expect(cliffSideOf(3, 30, null, false, 25)).toBe('right');
    expect(cliffSideOf(null, null, { left: true, right: true }, false, 25)).toBe('both');
    expect(cliffSideOf(null, null, null, false, 25)).toBeNull();
    expect(cliffSideOf(40, 40, { left: true, right: true }, true, 25)).toBeNull();
  });
});
