import { describe, expect, it } from '@jest/globals';
import { StretchPiece, buildStretches } from './stretches';

/** A piece from x0 to x1 along latitude 42 (0.001° ≈ 82 m), on road `road`. */
const piece = (segmentId: string, x0: number, x1: number, over: Partial<StretchPiece> = {}): StretchPiece => ({
  segmentId,
  roadKey: 'CG-3',
  need: 'guardrail',
  side: 'left',
  lengthM: 100,
  coordinates: [[1 + x0 / 1000, 42], [1 + x1 / 1000, 42]],
  ...over,
});

describe('buildStretches', () => {
  it('joins consecutive pieces of one road with the same need and side into one stretch, in order', () => {
    const stretches = buildStretches([piece('w1-2', 2, 3), piece('w1-0', 0, 1), piece('w1-1', 1, 2)]);
    expect(stretches).toHaveLength(1);
    expect(stretches[0]).toMatchObject({ id: 'guardrail:left:w1-0', roadKey: 'CG-3', side: 'left', lengthM: 300 });
    expect(stretches[0].members.map((m) => m.segmentId)).toEqual(['w1-0', 'w1-1', 'w1-2']);
    expect(stretches[0].lines[0]).toEqual([[1, 42], [1.001, 42]]);
  });

  it('continues across a way drawn the other way, where its right side is the road\'s left', () => {
    // w2-0 runs from x=3 back to x=2: its right side is the left of the road walked from x=0.
    const stretches = buildStretches([piece('w1-0', 0, 1), piece('w1-1', 1, 2), piece('w2-0', 3, 2, { side: 'right' })]);
    expect(stretches.map((s) => s.members.map((m) => `${m.segmentId}:${m.side}`))).toEqual([['w1-0:left', 'w1-1:left', 'w2-0:right']]);
    expect(stretches[0].lines[2]).toEqual([[1.002, 42], [1.003, 42]]);
  });

  it('keeps apart other sides, other needs, other roads, gaps and branches at a junction', () => {
    const stretches = buildStretches([
      piece('a-0', 0, 1),
      piece('a-1', 1, 2, { side: 'right' }),
      piece('b-0', 10, 11),
      piece('b-1', 11, 12, { need: 'survey' }),
      piece('c-0', 20, 21),
      piece('c-1', 22, 23), // a gap of one piece
      piece('d-0', 30, 31, { roadKey: 'CG-4' }),
      piece('d-1', 31, 32, { roadKey: 'CG-5' }),
      // Three pieces of one road meet at x=41: no stretch runs through the junction.
      piece('e-0', 40, 41),
      piece('e-1', 41, 42),
      piece('e-2', 41, 51.5),
    ]);
    expect(stretches.map((s) => s.members.map((m) => m.segmentId).join('+')).sort()).toEqual(
      ['a-0', 'a-1', 'b-0', 'b-1', 'c-0', 'c-1', 'd-0', 'd-1', 'e-0', 'e-1', 'e-2'].sort(),
    );
  });

  it('cuts a long run into even stretches no longer than the limit', () => {
    const run = Array.from({ length: 25 }, (_, i) => piece(`w9-${i}`, i, i + 1));
    const stretches = buildStretches(run, { maxLengthM: 1000 });
    expect(stretches.map((s) => s.lengthM)).toEqual([800, 900, 800]);
    expect(stretches.flatMap((s) => s.members.map((m) => m.segmentId))).toEqual(run.map((p) => p.segmentId));
  });
});
