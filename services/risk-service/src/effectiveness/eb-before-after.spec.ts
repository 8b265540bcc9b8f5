import { describe, expect, it } from '@jest/globals';
import { EB_BEFORE_AFTER, SiteObservation, beforeAfter, siteEstimate } from './eb-before-after';

/**
 * A site of 0.236 mi (379.805 m), so that HSM's k = 0.236 / L[mi] = 1, predicted at 0.4 crashes a
 * year (1.053171 per km-year), for one year before and one after: P_b = 0.4, k = 1.
 */
const SITE_M = 0.236 * 1609.344;
const site = (beforeCrashes: number, afterCrashes: number, years = 1): SiteObservation => ({
  lengthM: SITE_M, predictedPerKmYear: 0.4 / (SITE_M / 1000), beforeYears: years, afterYears: years, beforeCrashes, afterCrashes,
});

describe(siteEstimate.name, () => {
  it('blends the prediction with the count: w = 1/(1 + 0.4) = 5/7, EB = 5/7·0.4 + 2/7·4 = 10/7', () => {
    const e = siteEstimate(site(4, 1));
    expect(e.predictedBefore).toBeCloseTo(0.4, 12);
    expect(e.weight).toBeCloseTo(5 / 7, 12);
    expect(e.ebBefore).toBeCloseTo(10 / 7, 12);
    expect(e.expectedAfter).toBeCloseTo(10 / 7, 12);
    // Var(π_i) = (1 − w) · EB = 2/7 · 10/7 = 20/49
    expect(e.varianceExpectedAfter).toBeCloseTo(20 / 49, 12);
  });

  it('scales the expectation to a longer after period by the ratio of predictions', () => {
    const e = siteEstimate({ ...site(4, 1), afterYears: 2 });
    expect(e.expectedAfter).toBeCloseTo(20 / 7, 12);
    expect(e.varianceExpectedAfter).toBeCloseTo(4 * (20 / 49), 12);
  });
});

describe(beforeAfter.name, () => {
  it('matches the hand-worked example of three sites', () => {
    // EB_b: A (4 before) 10/7, B (2 before) 6/7, C (3 before) 8/7 → π = 24/7 ≈ 3.428571
    // Var(π) = 2/7 · 24/7 = 48/49, Var(π)/π² = (48/49)/(576/49) = 1/12; λ = 1 + 0 + 1 = 2
    // θ = (2 / (24/7)) / (1 + 1/12) = (7/12)/(13/12) = 7/13 ≈ 0.538462
    // Var(θ) = θ² · (1/2 + 1/12) / (13/12)² = (49/169)(7/12)(144/169) = 4116/28561 → σ ≈ 0.379621
    const r = beforeAfter([site(4, 1), site(2, 0), site(3, 1)]);
    expect(r).toMatchObject({ sites: 3, beforeCrashes: 9, afterCrashes: 2, beforeYears: 3, afterYears: 3, verdict: 'no_evidence' });
    expect(r.expectedAfterWithoutTreatment).toBeCloseTo(24 / 7, 4);
    expect(r.oddsRatio).toBeCloseTo(7 / 13, 4);
    expect(r.oddsRatioStdErr).toBeCloseTo(Math.sqrt(4116 / 28561), 4);
    // 95 %: 7/13 ± 1.96 · 0.379621 → [−0.2056 → 0, 1.2825]
    expect(r.ci95![0]).toBe(0);
    expect(r.ci95![1]).toBeCloseTo(7 / 13 + EB_BEFORE_AFTER.z95 * Math.sqrt(4116 / 28561), 3);
    expect(r.effectivenessPct).toBeCloseTo((1 - 7 / 13) * 100, 2);
    expect(r.note).toMatch(/includes no change/);
  });

  it('calls a clear fall effective and a clear rise harmful', () => {
    const fell = beforeAfter(Array.from({ length: 10 }, () => site(10, 1)));
    expect(fell.verdict).toBe('effective');
    expect(fell.ci95![1]).toBeLessThan(1);
    expect(fell.effectivenessPct!).toBeGreaterThan(50);
    const rose = beforeAfter(Array.from({ length: 6 }, () => site(3, 12)));
    expect(rose.verdict).toBe('harmful');
    expect(rose.ci95![0]).toBeGreaterThan(1);
    expect(rose.effectivenessPct!).toBeLessThan(0);
  });

  it.each([
    ['fewer than three sites', [site(10, 2), site(10, 2)], /at least 3/],
    ['too few crashes before', [site(0, 0), site(0, 1), site(1, 0)], /too few crashes/],
    ['no crash after yet', [site(5, 0), site(5, 0), site(5, 0)], /No crash has happened/],
  ])('says insufficient_data for %s, with no estimate', (_label, sites, note) => {
    const r = beforeAfter(sites);
    expect(r).toMatchObject({ verdict: 'insufficient_data', oddsRatio: null, oddsRatioStdErr: null, ci95: null, effectivenessPct: null });
    expect(r.note).toMatch(note);
  });

  it('reports no expectation without sites', () => {
    expect(beforeAfter([])).toMatchObject({ sites: 0, expectedAfterWithoutTreatment: null, verdict: 'insufficient_data' });
  });
});
