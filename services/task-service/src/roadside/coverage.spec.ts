import { describe, expect, it } from '@jest/globals';
import { onMembers, overlapping, sideState } from './coverage';

describe('sideState', () => {
  it('is present from the protected share, else damaged before absent', () => {
    expect(sideState([{ fromM: 0, toM: 60, status: 'present' }, { fromM: 60, toM: 100, status: 'absent' }], 100, 0.5).status).toBe('present');
    expect(sideState([{ fromM: 0, toM: 40, status: 'present' }, { fromM: 40, toM: 100, status: 'absent' }], 100, 0.5).status).toBe('absent');
    expect(sideState([{ fromM: 0, toM: 30, status: 'damaged' }, { fromM: 30, toM: 100, status: 'absent' }], 100, 0.5)).toEqual({ status: 'damaged', fromM: 0, toM: 100 });
  });
});

describe('overlapping', () => {
  it('names the pairs that overlap, not the ones that touch', () => {
    expect(overlapping([{ fromM: 0, toM: 50 }, { fromM: 50, toM: 80 }, { fromM: 70, toM: 90 }])).toEqual([[1, 2]]);
  });
});

describe('onMembers', () => {
  it('cuts a finding along the stretch into each member, flipping offsets and side on a member drawn the other way', () => {
    const members = [
      { segmentId: 'a', lengthM: 100, reversed: false },
      { segmentId: 'b', lengthM: 100, reversed: true },
      { segmentId: 'c', lengthM: 100, reversed: false },
    ];
    expect(onMembers({ fromM: 50, toM: 180, side: 'left' }, members)).toEqual([
      { segmentId: 'a', side: 'left', fromM: 50, toM: 100 },
      { segmentId: 'b', side: 'right', fromM: 20, toM: 100 },
    ]);
  });
});
