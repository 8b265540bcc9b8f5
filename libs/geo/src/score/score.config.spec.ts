import { describe, expect, it } from '@jest/globals';
import { GeoError } from '../geo.exception';
import { DEFAULT_SCORE_CONFIG, EXPOSURE_LEVELS, SCORE_CONFIG_VERSION, resolveScoreConfig, scoreConfigSchema } from './score.config';

function configError(fn: () => unknown): GeoError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GeoError) return err;
    throw err;
  }
  throw new Error('expected a GeoError');
}

describe(resolveScoreConfig.name, () => {
  it('returns the validated defaults, versioned', () => {
    expect(scoreConfigSchema.safeParse(DEFAULT_SCORE_CONFIG).success).toBe(true);
    expect(resolveScoreConfig()).toEqual(DEFAULT_SCORE_CONFIG);
    expect(DEFAULT_SCORE_CONFIG.version).toBe(SCORE_CONFIG_VERSION);
    expect(DEFAULT_SCORE_CONFIG.levels.map((l) => l.level)).toEqual([...EXPOSURE_LEVELS]);
    expect(DEFAULT_SCORE_CONFIG.levels.map((l) => l.colour)).toEqual(['green', 'blue', 'yellow', 'orange', 'red']);
  });

  it('merges a partial override and marks the version as custom', () => {
    const c = resolveScoreConfig({ water: { besideMaxM: 40, severity: { stream: 7 } } });
    expect(c.water.besideMaxM).toBe(40);
    expect(c.water.severity.stream).toBe(7);
    expect(c.water.severity.river).toBe(DEFAULT_SCORE_CONFIG.water.severity.river);
    expect(c.version).toBe(`${SCORE_CONFIG_VERSION}+custom`);
    expect(resolveScoreConfig({ version: 'lishui-2024.1', drop: { cliffDropM: 30 } }).version).toBe('lishui-2024.1');
  });

  it('does not mutate the defaults, and freezes what it returns', () => {
    const c = resolveScoreConfig({ segmentation: { maxSegmentM: 50 } });
    expect(DEFAULT_SCORE_CONFIG.segmentation.maxSegmentM).toBe(100);
    expect(Object.isFrozen(c.segmentation)).toBe(true);
  });

  it.each([
    [{ segmentation: { maxSegmentM: -1 } }, 'segmentation.maxSegmentM'],
    [{ water: { fullEffectM: 50 } }, 'water.fullEffectM'],
    [{ curvature: { classes: { sharp: { belowRadiusM: 500, multiplier: 3.5 } } } }, 'curvature.classes'],
    [{ levels: [] }, 'levels'],
    [{ unknownSection: 1 }, '(root)'],
    [{ guardrail: { effectiveness: 1.5 } }, 'guardrail.effectiveness'],
  ])('rejects %j with CONFIG_INVALID naming %s', (override, path) => {
    const err = configError(() => resolveScoreConfig(override));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain(path);
  });

  it('rejects a non-object', () => {
    expect(configError(() => resolveScoreConfig([1, 2])).code).toBe('CONFIG_INVALID');
  });
});
