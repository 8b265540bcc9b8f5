import { describe, expect, it } from '@jest/globals';
import { assembleRings } from '../osm/multipolygon';
import { joinOpenChains } from './chains';

describe('joinOpenChains', () => {
  it('joins the open leftovers of assembleRings into one chain per gap', () => {
    // Ways 24→21→22 and 23→24: one gap, between 22 and 23; assembleRings leaves two chains.
    const raw = assembleRings([[24, 21, 22], [23, 24]]);
    expect(raw.open).toHaveLength(2);
    expect(joinOpenChains(raw)).toEqual({ rings: [], open: [[23, 24, 21, 22]] });
  });

  it('joins in every direction and keeps separate gaps apart', () => {
    expect(joinOpenChains({ rings: [], open: [[2, 3], [2, 1], [9, 8], [5, 4]] }).open).toEqual([[9, 8], [5, 4], [1, 2, 3]]);
    expect(joinOpenChains({ rings: [], open: [[1, 2], [3, 2]] }).open).toEqual([[1, 2, 3]]);
    expect(joinOpenChains({ rings: [], open: [[1, 2], [1, 3]] }).open).toEqual([[3, 1, 2]]);
  });

  it('turns chains that close when joined into rings, and leaves existing rings alone', () => {
    expect(joinOpenChains({ rings: [[7, 8, 9, 7]], open: [[1, 2, 3], [1, 4, 3]] })).toEqual({ rings: [[7, 8, 9, 7], [1, 2, 3, 4, 1]], open: [] });
  });
});
