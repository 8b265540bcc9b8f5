import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { RoadsideFacts, alignmentNeeds, inventoryFromMap, protectionAction, protectionNeeds } from './needs';

const facts = (over: Partial<RoadsideFacts> = {}): RoadsideFacts => ({
  roadClass: 'primary',
  waterDistanceM: null,
  waterSide: null,
  cliffSide: null,
  dropLeftM: null,
  dropRightM: null,
  guardrail: { left: 0, right: 0 },
  ...over,
});
const sides = (f: RoadsideFacts) => protectionNeeds(f).map((n) => `${n.side}:${n.water ? 'water' : 'cliff'}`);

describe('protectionNeeds (the mandatory-protection rule)', () => {
  it('needs a guardrail on the water side (MUST), on both sides of a bridge over water', () => {
    expect(sides(facts({ waterDistanceM: 6.5, waterSide: 'right' }))).toEqual(['right:water']);
    expect(protectionNeeds(facts({ waterDistanceM: 6.5, waterSide: 'right' }))[0].why).toBe('water 6.5 m away (guardrail must be set)');
    expect(sides(facts({ waterDistanceM: 0, waterSide: 'crossing' }))).toEqual(['left:water', 'right:water']);
  });

  it('needs one beside a drop of 8 m or a cliff (SHOULD), and not beside a smaller drop', () => {
    expect(sides(facts({ dropLeftM: 14.8 }))).toEqual(['left:cliff']);
    expect(sides(facts({ cliffSide: 'right', dropRightM: 3 }))).toEqual(['right:cliff']);
    expect(sides(facts({ dropLeftM: 7.9 }))).toEqual([]);
    expect(sides(facts({ waterDistanceM: 5, waterSide: 'right', dropLeftM: 9 }))).toEqual(['left:cliff', 'right:water']);
  });

  it('ignores far water and the classes the rule does not cover', () => {
    expect(sides(facts({ waterDistanceM: 25, waterSide: 'right' }))).toEqual([]);
    expect(sides(facts({ roadClass: 'track', waterDistanceM: 1, waterSide: 'left' }))).toEqual([]);
  });
});

describe('what stands there decides the action', () => {
  it('reads a mapped guardrail as present and no mapped one as unknown, never as absent', () => {
    expect(inventoryFromMap(facts({ guardrail: { left: 0, right: 0.5 } }), 'right')).toBe('present');
    expect(inventoryFromMap(facts(), 'left')).toBe('unknown');
    expect(['present', 'absent', 'damaged', 'unknown'].map((s) => protectionAction(s as 'present'))).toEqual(['none', 'works', 'works', 'survey']);
  });

  it('property: a side mapped at least half guarded never calls for a survey or works', () => {
    fc.assert(
      fc.property(
        fc.record({
          waterDistanceM: fc.option(fc.double({ min: 0, max: 100, noNaN: true })),
          waterSide: fc.constantFrom('left', 'right', 'both', 'crossing', null),
          dropLeftM: fc.option(fc.double({ min: 0, max: 50, noNaN: true })),
          left: fc.double({ min: 0, max: 1, noNaN: true }),
          right: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        (p) => {
          const f = facts({ ...p, waterSide: p.waterSide as RoadsideFacts['waterSide'], guardrail: { left: p.left, right: p.right } });
          for (const need of protectionNeeds(f)) {
            if (protectionAction(inventoryFromMap(f, need.side)) !== 'none') expect(f.guardrail[need.side]).toBeLessThan(0.5);
          }
        },
      ),
    );
  });

  it('asks for curve and grade treatments on sharp curves and steep grades', () => {
    expect(alignmentNeeds({ curvatureClass: 'very_sharp', gradeClass: 'steep' })).toEqual(['curve', 'grade']);
    expect(alignmentNeeds({ curvatureClass: 'moderate', gradeClass: 'gentle' })).toEqual([]);
  });
});
