import { describe, expect, it } from '@jest/globals';
import { DEFAULT_PROTECTION, protectionNeeds, type RoadsideFacts } from './programme/needs';
import { RISK_MODEL } from './risk-model/risk-model.config';
import { DEFAULT_SCORE_CONFIG } from './score/score.config';
import { GUARDRAIL_MUST_WATER_MAX_M, WATER_SIDE_MAX_M } from './water-side';

const river = (waterDistanceM: number): RoadsideFacts => ({
  roadClass: 'tertiary', waterDistanceM, waterSide: 'right', cliffSide: null, dropLeftM: null, dropRightM: null, guardrail: { left: 0, right: 0 },
});

describe('water-side and the guardrail rule', () => {
  it('has one water-side distance for the engine, the risk model and the queries', () => {
    expect(WATER_SIDE_MAX_M).toBe(30);
    expect(DEFAULT_SCORE_CONFIG.water.besideMaxM).toBe(WATER_SIDE_MAX_M);
    expect(RISK_MODEL.cmf.roadside.waterBesideM).toBe(WATER_SIDE_MAX_M);
  });

  it('keeps the rule its own, nearer distance: water 25 m away is water-side but needs no guardrail', () => {
    expect(GUARDRAIL_MUST_WATER_MAX_M).toBe(20);
    expect(DEFAULT_PROTECTION.guardrailWaterMaxM).toBe(GUARDRAIL_MUST_WATER_MAX_M);
    expect(protectionNeeds(river(GUARDRAIL_MUST_WATER_MAX_M)).map((n) => n.side)).toEqual(['right']);
    expect(25).toBeLessThanOrEqual(WATER_SIDE_MAX_M);
    expect(protectionNeeds(river(25))).toEqual([]);
  });
});
