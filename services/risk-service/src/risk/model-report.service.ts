import { Injectable } from '@nestjs/common';
import { RISK_LEVELS, RiskLevel } from '@roadloop/contracts';
import { predictSegment, proposeThresholds } from '@roadloop/geo';
import { AccidentRepository } from '../accidents/accident.repository';
import { SegmentRepository } from '../segments/segment.repository';
import { CRASH_WINDOW_MS, RISK_MODEL, RiskFactor, roadOf } from './risk-model';
import { SegmentRiskRepository } from './segment-risk.repository';

export interface ClassRow {
  roadClass: string;
  segments: number;
  km: number;
  /** The AADT assumed for the class, and how many of its segments have a count instead. */
  assumedAadt: number | null;
  counted: number;
  predictedCrashesPerYear: number;
  predictedFsiPerYear: number;
  observedCrashesPerYear: number;
  observedFsiPerYear: number;
}

export interface ModelReport {
  modelVersion: string;
  unit: string;
  windowYears: number;
  byClass: ClassRow[];
  total: Omit<ClassRow, 'roadClass' | 'assumedAadt'>;
  /** HSM Part C calibration factor C = observed / predicted crashes (to adopt: RISK_MODEL.spf.calibrationFactor). */
  calibrationFactor: number | null;
  levels: { level: RiskLevel; from: number; segments: number; km: number; lengthShare: number; segmentShare: number }[];
  alarms: Record<string, number>;
  /** Segments whose stored score came from another model version (re-scored by the running service). */
  staleSegments: number;
  proposedThresholds: { thresholds: number[]; lengthShareAbove: number[] };
  top: { rank: number; segmentId: string; roadClass: string; name: string | null; lengthM: number; score: number; level: RiskLevel; alarm: string; factors: RiskFactor[] }[];
}

/**
 * A region's predictions and totals, for an engineer to check the model against what the region
 * observed (HSM Part C calibration), and the level thresholds its own distribution suggests.
 */
@Injectable()
export class ModelReportService {
  constructor(
    private readonly segments: SegmentRepository,
    private readonly accidents: AccidentRepository,
    private readonly risks: SegmentRiskRepository,
  ) {}

  async report(now = new Date(), topN = 20): Promise<ModelReport> {
    const [roads, counts, assessed] = await Promise.all([
      this.segments.allRoads(),
      this.accidents.countsBySegmentSince(new Date(now.getTime() - CRASH_WINDOW_MS)),
      this.risks.allAssessed(),
    ]);
    const years = RISK_MODEL.eb.windowYears;
    const classes = new Map<string, ClassRow>();
    const empty = (roadClass: string): ClassRow => ({
      roadClass, segments: 0, km: 0, assumedAadt: RISK_MODEL.aadtByClass[roadClass] ?? RISK_MODEL.fallbackAadt, counted: 0,
      predictedCrashesPerYear: 0, predictedFsiPerYear: 0, observedCrashesPerYear: 0, observedFsiPerYear: 0,
    });
    for (const r of roads) {
      const p = predictSegment(roadOf(r));
      const row = classes.get(r.roadClass) ?? classes.set(r.roadClass, empty(r.roadClass)).get(r.roadClass)!;
      const km = r.lengthM / 1000;
      const observed = counts.get(r.id);
      row.segments += 1;
      row.km += km;
      if (p.aadtSource === 'count') row.counted += 1;
      row.predictedCrashesPerYear += p.predictedPerKmYear * km;
      row.predictedFsiPerYear += p.predictedPerKmYear * km * p.fsiShare;
      row.observedCrashesPerYear += (observed?.total ?? 0) / years;
      row.observedFsiPerYear += (observed?.fsi ?? 0) / years;
    }
    const byClass = [...classes.values()].sort((a, b) => b.predictedCrashesPerYear - a.predictedCrashesPerYear).map(roundRow);
    const sum = (k: keyof Omit<ClassRow, 'roadClass' | 'assumedAadt'>) => byClass.reduce((a, r) => a + r[k], 0);
    const total = roundRow({
      roadClass: '', assumedAadt: null, segments: sum('segments'), km: sum('km'), counted: sum('counted'),
      predictedCrashesPerYear: sum('predictedCrashesPerYear'), predictedFsiPerYear: sum('predictedFsiPerYear'),
      observedCrashesPerYear: sum('observedCrashesPerYear'), observedFsiPerYear: sum('observedFsiPerYear'),
    });
    const { roadClass: _r, assumedAadt: _a, ...totals } = total;

    const lengthOf = new Map(roads.map((r) => [r.id, r]));
    const totalM = roads.reduce((a, r) => a + r.lengthM, 0);
    const levels = RISK_LEVELS.map((level, i) => {
      const inLevel = assessed.filter((a) => a.level === level);
      const m = inLevel.reduce((a, s) => a + (lengthOf.get(s.segmentId)?.lengthM ?? 0), 0);
      return {
        level,
        from: i === 0 ? 0 : RISK_MODEL.levelThresholds[i - 1],
        segments: inLevel.length,
        km: round(m / 1000, 2),
        lengthShare: totalM ? round(m / totalM, 4) : 0,
        segmentShare: assessed.length ? round(inLevel.length / assessed.length, 4) : 0,
      };
    });
    const alarms: Record<string, number> = { red: 0, yellow: 0, green: 0 };
    for (const a of assessed) alarms[a.alarm] = (alarms[a.alarm] ?? 0) + 1;
    const top = [...assessed]
      .sort((a, b) => b.score - a.score || a.segmentId.localeCompare(b.segmentId))
      .slice(0, topN)
      .map((a, i) => {
        const r = lengthOf.get(a.segmentId);
        return { rank: i + 1, segmentId: a.segmentId, roadClass: r?.roadClass ?? '', name: r?.name ?? null, lengthM: round(r?.lengthM ?? 0, 1), score: a.score, level: a.level, alarm: a.alarm, factors: a.factors };
      });
    return {
      modelVersion: RISK_MODEL.version,
      unit: RISK_MODEL.unit.long,
      windowYears: years,
      byClass,
      total: totals,
      calibrationFactor: total.predictedCrashesPerYear > 0 ? round(total.observedCrashesPerYear / total.predictedCrashesPerYear, 4) : null,
      levels,
      alarms,
      staleSegments: assessed.filter((a) => a.modelVersion !== RISK_MODEL.version).length,
      proposedThresholds: proposeThresholds(
        assessed.map((a) => ({ lengthM: lengthOf.get(a.segmentId)?.lengthM ?? 0, fsiPerKmYear: a.score })),
      ),
      top,
    };
  }
}

function roundRow(r: ClassRow): ClassRow {
  return {
    ...r,
    km: round(r.km, 2),
    predictedCrashesPerYear: round(r.predictedCrashesPerYear, 3),
    predictedFsiPerYear: round(r.predictedFsiPerYear, 3),
    observedCrashesPerYear: round(r.observedCrashesPerYear, 3),
    observedFsiPerYear: round(r.observedFsiPerYear, 3),
  };
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The report as text an engineer reads in a terminal (Markdown tables). */
export function reportText(r: ModelReport): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const lines = [
    `Risk model ${r.modelVersion}: ${r.unit}; crash history over ${r.windowYears} years.`,
    '',
    '| road class | segments | km | AADT assumed | counted | predicted crashes / yr | predicted FSI / yr | observed crashes / yr | observed FSI / yr |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...r.byClass.map((c) => `| ${c.roadClass} | ${c.segments} | ${c.km} | ${c.assumedAadt ?? ''} | ${c.counted} | ${c.predictedCrashesPerYear} | ${c.predictedFsiPerYear} | ${c.observedCrashesPerYear} | ${c.observedFsiPerYear} |`),
    `| **total** | ${r.total.segments} | ${r.total.km} | | ${r.total.counted} | ${r.total.predictedCrashesPerYear} | ${r.total.predictedFsiPerYear} | ${r.total.observedCrashesPerYear} | ${r.total.observedFsiPerYear} |`,
    '',
    `Calibration factor C = observed / predicted crashes = ${r.calibrationFactor ?? 'n/a'} (HSM Part C, Appendix A; the model uses C = ${RISK_MODEL.spf.calibrationFactor}).`,
    '',
    '| level | from (FSI / km·yr) | segments | share of segments | km | share of length |',
    '|---|---:|---:|---:|---:|---:|',
    ...r.levels.map((l) => `| ${l.level} | ${l.from} | ${l.segments} | ${pct(l.segmentShare)} | ${l.km} | ${pct(l.lengthShare)} |`),
    '',
    `Alarms: ${Object.entries(r.alarms).map(([k, v]) => `${v} ${k}`).join(', ')}.${r.staleSegments ? ` ${r.staleSegments} segments still carry a score of another model version.` : ''}`,
    `Thresholds from this region's distribution (60 / 35 / 15 / 5 % of length above each): ${r.proposedThresholds.thresholds.join(' / ')} ` +
      `(current: ${RISK_MODEL.levelThresholds.join(' / ')}).`,
    '',
    `| rank | segment | road | m | FSI / km·yr | level | alarm | factors |`,
    '|---:|---|---|---:|---:|---|---|---|',
    ...r.top.map(
      (t) => `| ${t.rank} | ${t.segmentId} | ${t.roadClass}${t.name ? ` ${t.name}` : ''} | ${t.lengthM} | ${t.score} | ${t.level} | ${t.alarm} | ${t.factors.map((f) => `${f.factor} ${f.value}`).join(' × ')} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
