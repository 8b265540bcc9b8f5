import { describe, expect, it } from '@jest/globals';
import { RISK_MODEL, RISK_MODEL_VARIANTS, assessRisk, roadOf, selectRiskModel } from './risk-model';

// This file's module registry is its own: selecting a variant here changes no other test's model.
describe(selectRiskModel.name, () => {
  const road = roadOf({ lengthM: 400, roadClass: 'secondary', attributes: {} });
  const now = new Date('2026-06-01T00:00:00Z');
  const inputs = { road, hazards: [], crashes: [{ id: 'c1', occurredAt: new Date('2026-01-01T00:00:00Z'), severity: 'serious' as const }], now };

  it('refuses a model it does not know, naming the known ones', () => {
    expect(() => selectRiskModel('9.9.9')).toThrow(/unknown risk model 9\.9\.9; known: 2\.0\.0, 2\.0\.0-recent-crashes/);
  });

  it('keeps the live model when asked for its own version', () => {
    const before = assessRisk(inputs).score;
    selectRiskModel(RISK_MODEL.version);
    expect(RISK_MODEL.version).toBe('2.0.0');
    expect(assessRisk(inputs).score).toBe(before);
  });

  it('scores with a variant once selected, under its version, and refuses a second one', () => {
    const live = assessRisk(inputs).score;
    expect(RISK_MODEL.eb.halfLifeDays).toBe(365);
    selectRiskModel('2.0.0-recent-crashes');
    expect(RISK_MODEL.version).toBe('2.0.0-recent-crashes');
    expect(RISK_MODEL.eb.halfLifeDays).toBe(180);
    // Untouched parameters stay.
    expect(RISK_MODEL.eb.windowYears).toBe(3);
    expect(RISK_MODEL.hazards.maxCombined).toBe(4);
    expect(assessRisk(inputs).score).not.toBe(live);
    expect(() => selectRiskModel('2.0.0-hazard-heavy')).toThrow(/already scores with risk model 2\.0\.0-recent-crashes/);
    expect(Object.keys(RISK_MODEL_VARIANTS)).toContain('2.0.0-hazard-heavy');
  });
});
