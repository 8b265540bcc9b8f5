import { Injectable } from '@nestjs/common';
import { feature, featureCollection } from '@roadloop/http';
import { csvOf } from '../queries/formats';
import { EffectivenessFilters } from '../queries/query-schemas';
import { predictSegment } from '@roadloop/geo';
import { roadOf } from '../risk/risk-model';
import { EB_BEFORE_AFTER, SiteObservation, beforeAfter, siteEstimate } from './eb-before-after';
import { EffectivenessRepository, VerifiedSiteRow } from './effectiveness.repository';

const YEAR_DAYS = 365.25;

export const EFFECTIVENESS_CSV_COLUMNS = [
  'countermeasure', 'sites', 'beforeCrashes', 'afterCrashes', 'beforeYears', 'afterYears', 'expectedAfterWithoutTreatment',
  'oddsRatio', 'oddsRatioStdErr', 'ciLow', 'ciHigh', 'effectivenessPct', 'verdict', 'note',
] as const;
export const SITE_CSV_COLUMNS = [
  'taskId', 'segmentId', 'countermeasure', 'verifiedAt', 'fixFailed', 'jurisdictionId', 'windowDays', 'beforeCrashes', 'afterCrashes', 'ebExpectedAfter', 'included',
] as const;

/** How the numbers are made, returned with them. */
export const EFFECTIVENESS_METHOD = {
  name: 'Empirical Bayes before–after (Hauer 1997; Hauer, Harwood, Council & Griffith 2002)',
  description:
    'Each verified task is a site. Its after period runs from verification to now (at most ' +
    `${EB_BEFORE_AFTER.maxAfterYears} years) and its before period is as long, ending at verification. ` +
    'The crashes expected after without the fix are the EB estimate of the before period (the risk model\'s ' +
    'prediction from length and exposure, blended with the crashes counted) scaled to the after period. ' +
    'The odds ratio θ = (λ/π)/(1 + Var(π)/π²) compares the crashes counted after (λ) with those expected (π); ' +
    'effectiveness = 100·(1 − θ) % with a 95 % interval. Fixes that later failed are included.',
  minSites: EB_BEFORE_AFTER.minSites,
  minExpectedAfter: EB_BEFORE_AFTER.minExpectedAfter,
  minAfterDays: EB_BEFORE_AFTER.minAfterDays,
  maxAfterYears: EB_BEFORE_AFTER.maxAfterYears,
};

/** Did the fixes work? Per countermeasure, and site by site. */
@Injectable()
export class EffectivenessService {
  constructor(private readonly repository: EffectivenessRepository) {}

  async summary(q: EffectivenessFilters, now = new Date()) {
    const { format, ...filters } = q;
    const sites = (await this.sites(filters, now, false)).filter((s) => s.included);
    const names = [...new Set([...(filters.countermeasure ?? []), ...sites.map((s) => s.countermeasure)])].sort();
    const countermeasures = names.map((countermeasure) => ({
      countermeasure,
      ...beforeAfter(sites.filter((s) => s.countermeasure === countermeasure).map((s) => s.observation)),
    }));
    if (format === 'csv') {
      return csvOf(EFFECTIVENESS_CSV_COLUMNS, countermeasures.map((c) => ({ ...c, ciLow: c.ci95?.[0] ?? null, ciHigh: c.ci95?.[1] ?? null })));
    }
    return { asOf: now.toISOString(), method: EFFECTIVENESS_METHOD, filters, countermeasures };
  }

  async siteList(q: EffectivenessFilters | (Omit<EffectivenessFilters, 'format'> & { format: 'json' | 'csv' | 'geojson' }), now = new Date()) {
    const { format, ...filters } = q;
    const sites = await this.sites(filters, now, format === 'geojson');
    const rows = sites.map(({ observation: _o, geometry: _g, ...row }) => row);
    if (format === 'csv') return csvOf(SITE_CSV_COLUMNS, rows);
    if (format === 'geojson') {
      return featureCollection(sites.map((s, i) => feature(s.taskId, s.geometry, rows[i])), { asOf: now.toISOString(), filters });
    }
    return { asOf: now.toISOString(), method: EFFECTIVENESS_METHOD, filters, sites: rows };
  }

  private async sites(filters: Omit<EffectivenessFilters, 'format'>, now: Date, withGeometry: boolean) {
    const rows = await this.repository.verifiedSites(filters, now, EB_BEFORE_AFTER.maxAfterYears * YEAR_DAYS, withGeometry);
    return rows.map((r) => toSite(r));
  }
}

function toSite(r: VerifiedSiteRow) {
  const years = r.windowDays / YEAR_DAYS;
  const observation: SiteObservation = {
    lengthM: r.lengthM,
    // The site as built before the fix: the prediction the before period is compared with.
    predictedPerKmYear: predictSegment(roadOf(r)).predictedPerKmYear,
    beforeYears: years,
    afterYears: years,
    beforeCrashes: r.beforeCrashes,
    afterCrashes: r.afterCrashes,
  };
  const included = r.windowDays >= EB_BEFORE_AFTER.minAfterDays;
  return {
    taskId: r.taskId,
    segmentId: r.segmentId,
    countermeasure: r.countermeasure,
    verifiedAt: r.verifiedAt,
    fixFailed: r.fixFailed,
    jurisdictionId: r.jurisdictionId,
    windowDays: Math.round(r.windowDays * 100) / 100,
    beforeCrashes: r.beforeCrashes,
    afterCrashes: r.afterCrashes,
    ebExpectedAfter: included ? Math.round(siteEstimate(observation).expectedAfter * 10_000) / 10_000 : null,
    /** False when verified less than the minimum after period ago (left out of the estimates). */
    included,
    observation,
    geometry: r.geometry,
  };
}
