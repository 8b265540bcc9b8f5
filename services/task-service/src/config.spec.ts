import { describe, expect, it } from '@jest/globals';
import { DEVELOPMENT_JWT_SECRET } from '@roadloop/auth';
import { ConfigError } from '@roadloop/config';
import { DEFAULT_PROTECTION, GUARDRAIL_MUST_WATER_MAX_M } from '@roadloop/geo';
import { loadTaskCliConfig, loadTaskConfig } from './config';

describe('task-service settings', () => {
  it('refuses the development secret outside development; the command-line tool, which checks no token, does not', () => {
    // A new shell: no NODE_ENV, no JWT_SECRET.
    expect(() => loadTaskConfig({})).toThrow(ConfigError);
    expect(() => loadTaskConfig({})).toThrow(/JWT_SECRET/);
    expect(loadTaskCliConfig({}).JWT_SECRET).toBe(DEVELOPMENT_JWT_SECRET);
    // Everything else is still checked.
    expect(() => loadTaskCliConfig({ DATABASE_URL: 'mysql://x/y' })).toThrow(/DATABASE_URL/);
  });

  it("takes the mandatory-protection rule's defaults from the rule, and overrides them when set", () => {
    const defaults = loadTaskCliConfig({});
    expect(defaults.MANDATORY_PROTECTION_WATER_DISTANCE_M).toBe(GUARDRAIL_MUST_WATER_MAX_M);
    expect(defaults.MANDATORY_PROTECTION_ROAD_CLASSES).toEqual(DEFAULT_PROTECTION.roadClasses);
    expect([defaults.MANDATORY_PROTECTION_CLIFF_DROP_M, defaults.MANDATORY_PROTECTION_MIN_GUARDRAIL_SHARE]).toEqual([
      DEFAULT_PROTECTION.cliffDropM,
      DEFAULT_PROTECTION.minGuardrailShare,
    ]);
    expect(loadTaskCliConfig({ MANDATORY_PROTECTION_WATER_DISTANCE_M: '12' }).MANDATORY_PROTECTION_WATER_DISTANCE_M).toBe(12);
  });
});
