import { describe, expect, it } from '@jest/globals';
import { accidentFieldsSchema, checkCasualties, hazardReportSchema } from '@roadloop/contracts';
import { nextStep, pickWeight } from './crew-work';
import { createRandom } from './random';
import { SegmentSample, buildScenario, pointOn } from './scenario';

const straight = (id: string, overrides: Partial<SegmentSample> = {}): SegmentSample => ({
  id,
  coordinates: [
    [1.5, 42.5],
    [1.501, 42.5],
  ],
  lengthM: 82,
  exposureScore: 2,
  waterSide: false,
  cliffSide: false,
  ...overrides,
});

const options = { now: new Date('2026-11-27T12:00:00Z'), crashYears: 3, crashesPerYear: 50, hazardDays: 28, hazardsPerDay: 4, runLabel: 'r' };

describe('createRandom', () => {
  it('gives the same stream for the same seed and another for another seed', () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const c = createRandom(8);
    const first = [a.next(), a.next(), a.next()];
    expect([b.next(), b.next(), b.next()]).toEqual(first);
    expect([c.next(), c.next(), c.next()]).not.toEqual(first);
    for (const v of first) expect(v >= 0 && v < 1).toBe(true);
  });

  it('picks by weight and refuses an all-zero weighting', () => {
    const random = createRandom(1);
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 4000; i++) counts[random.weighted(['a', 'b'] as const, (x) => (x === 'a' ? 3 : 1))]++;
    expect(counts.a / 4000).toBeGreaterThan(0.7);
    expect(counts.a / 4000).toBeLessThan(0.8);
    expect(() => random.weighted(['a'], () => 0)).toThrow(RangeError);
  });
});

describe(pointOn.name, () => {
  it('stays on the line between its ends', () => {
    const random = createRandom(3);
    for (let i = 0; i < 100; i++) {
      const [lon, lat] = pointOn(straight('s'), random);
      expect(lat).toBeCloseTo(42.5, 9);
      expect(lon).toBeGreaterThanOrEqual(1.5);
      expect(lon).toBeLessThanOrEqual(1.501);
    }
  });
});

describe(buildScenario.name, () => {
  const segments = [straight('plain'), straight('cliff', { exposureScore: 30, cliffSide: true }), straight('river', { waterSide: true })];

  it('makes reports the API accepts, in time order, within their windows', () => {
    const scenario = buildScenario(segments, options, createRandom(42));
    expect(scenario.accidents).toHaveLength(150);
    expect(scenario.hazards).toHaveLength(112);
    const accident = accidentFieldsSchema.omit({ accidentId: true }).strict().superRefine(checkCasualties);
    for (const a of scenario.accidents) expect(accident.safeParse(a).success).toBe(true);
    for (const h of scenario.hazards) expect(hazardReportSchema.omit({ hazardId: true }).strict().safeParse(h).success).toBe(true);
    const times = scenario.accidents.map((a) => Date.parse(a.occurredAt));
    expect([...times].sort((x, y) => x - y)).toEqual(times);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(options.now.getTime() - 3 * 366 * 86_400_000);
    expect(Math.max(...times)).toBeLessThan(options.now.getTime());
    expect(new Set(scenario.accidents.map((a) => a.externalId)).size).toBe(150);
  });

  it('puts more crashes where the roadside is unforgiving, and rockfall only under cliffs', () => {
    const at = (lat: number) => [
      [1.5, lat],
      [1.501, lat],
    ] as [number, number][];
    const spread = [straight('plain', { coordinates: at(42.5) }), straight('cliff', { coordinates: at(42.6), exposureScore: 30, cliffSide: true })];
    const { accidents } = buildScenario(spread, { ...options, crashesPerYear: 1000 }, createRandom(5));
    const onCliff = accidents.filter((a) => Math.abs(a.lat - 42.6) < 1e-9).length / accidents.length;
    // Weights 82·(1 + 2/5) and 82·(1 + 30/5): the cliff segment should get 7 / 8.4 ≈ 83 % of the crashes.
    expect(onCliff).toBeGreaterThan(0.8);
    expect(onCliff).toBeLessThan(0.87);
    const plainHazards = buildScenario([spread[0]], { ...options, hazardsPerDay: 50 }, createRandom(9)).hazards;
    expect(plainHazards.some((h) => h.category === 'rockfall' || h.category === 'flooded_road')).toBe(false);
    const cliffHazards = buildScenario([spread[1]], { ...options, hazardsPerDay: 50 }, createRandom(9)).hazards;
    expect(cliffHazards.some((h) => h.category === 'rockfall')).toBe(true);
  });

  it('is reproducible from its seed', () => {
    expect(buildScenario(segments, options, createRandom(11))).toEqual(buildScenario(segments, options, createRandom(11)));
  });

  it('makes nothing without segments', () => {
    expect(buildScenario([], options, createRandom(1))).toEqual({ hazards: [], accidents: [] });
  });
});

describe(nextStep.name, () => {
  it('walks a task through the lifecycle, leaving finished tasks alone', () => {
    const random = createRandom(2);
    expect(nextStep('assigned', random, 0)).toBe('accept');
    expect(nextStep('accepted', random, 0)).toBe('start');
    expect(nextStep('rejected', random, 0)).toBe('start');
    expect(nextStep('in_progress', random, 0)).toBe('submit');
    expect(nextStep('submitted', random, 0)).toBe('verify');
    expect(nextStep('submitted', random, 1)).toBe('reject');
    expect(nextStep('verified', random, 0)).toBeNull();
    expect(nextStep('created', random, 0)).toBeNull();
  });
});

describe(pickWeight.name, () => {
  const task = (status: string, priority: string) => ({ id: 't', segmentId: 's', status, crewId: 'c', version: 1, priority });

  it('prefers work under way and urgent work, and never picks finished or unassigned tasks', () => {
    expect(pickWeight(task('submitted', 'p3'))).toBeGreaterThan(pickWeight(task('assigned', 'p3')));
    expect(pickWeight(task('assigned', 'p1'))).toBeGreaterThan(pickWeight(task('assigned', 'p3')));
    expect(pickWeight(task('verified', 'p1'))).toBe(0);
    expect(pickWeight(task('created', 'p1'))).toBe(0);
  });
});
