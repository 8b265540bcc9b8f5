import { RISK_LEVELS, type RiskLevel } from '@roadloop/contracts';

/** A segment's place in one ranking. */
export interface Ranked {
  segmentId: string;
  score: number;
  level: RiskLevel;
}

export interface RankingComparison {
  segments: number;
  /** Segments in one ranking only (compared on the others). */
  onlyInBase: number;
  onlyInOther: number;
  /** Spearman's rank correlation of the two rankings over the common segments (ties share the mean rank); null under 2 segments. */
  spearman: number | null;
  top: {
    n: number;
    base: string[];
    other: string[];
    /** How many of the base's top n are in the other's top n. */
    overlap: number;
  };
  /** Segments whose level differs, the largest move first. */
  moved: { segmentId: string; from: RiskLevel; to: RiskLevel; steps: number; baseRank: number; otherRank: number; baseScore: number; otherScore: number }[];
  /** How many common segments sit at each level in each ranking. */
  levels: Record<RiskLevel, { base: number; other: number }>;
}

/** Compares two rankings of the same segments: the riskiest `topN` of each, the level moves, the rank correlation. */
export function compareRankings(base: readonly Ranked[], other: readonly Ranked[], topN: number): RankingComparison {
  const inOther = new Map(other.map((r) => [r.segmentId, r]));
  const inBase = new Map(base.map((r) => [r.segmentId, r]));
  const commonBase = [...base].filter((r) => inOther.has(r.segmentId)).sort(byRisk);
  const commonOther = [...other].filter((r) => inBase.has(r.segmentId)).sort(byRisk);
  const baseRanks = ranksOf(commonBase);
  const otherRanks = ranksOf(commonOther);
  const position = (list: Ranked[]) => new Map(list.map((r, i) => [r.segmentId, i + 1]));
  const basePosition = position(commonBase);
  const otherPosition = position(commonOther);
  const levels = Object.fromEntries(RISK_LEVELS.map((l) => [l, { base: 0, other: 0 }])) as RankingComparison['levels'];
  const moved: RankingComparison['moved'] = [];
  for (const b of commonBase) {
    const o = inOther.get(b.segmentId)!;
    levels[b.level].base++;
    levels[o.level].other++;
    if (b.level !== o.level) {
      moved.push({
        segmentId: b.segmentId,
        from: b.level,
        to: o.level,
        steps: RISK_LEVELS.indexOf(o.level) - RISK_LEVELS.indexOf(b.level),
        baseRank: basePosition.get(b.segmentId)!,
        otherRank: otherPosition.get(b.segmentId)!,
        baseScore: b.score,
        otherScore: o.score,
      });
    }
  }
  moved.sort((a, b) => Math.abs(b.steps) - Math.abs(a.steps) || a.baseRank - b.baseRank);
  const topBase = commonBase.slice(0, topN).map((r) => r.segmentId);
  const topOther = commonOther.slice(0, topN).map((r) => r.segmentId);
  const topOtherSet = new Set(topOther);
  return {
    segments: commonBase.length,
    onlyInBase: base.length - commonBase.length,
    onlyInOther: other.length - commonOther.length,
    spearman: spearman(commonBase.map((r) => [baseRanks.get(r.segmentId)!, otherRanks.get(r.segmentId)!])),
    top: { n: topN, base: topBase, other: topOther, overlap: topBase.filter((id) => topOtherSet.has(id)).length },
    moved,
    levels,
  };
}

/** Riskiest first; equal scores by segment id descending, byte-wise, as the live ranking orders them. */
function byRisk(a: Ranked, b: Ranked): number {
  if (a.score !== b.score) return b.score - a.score;
  return a.segmentId < b.segmentId ? 1 : a.segmentId > b.segmentId ? -1 : 0;
}

/** Fractional ranks (1 = riskiest): segments of equal score share the mean of their positions. */
function ranksOf(sorted: readonly Ranked[]): Map<string, number> {
  const ranks = new Map<string, number>();
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1].score === sorted[i].score) j++;
    const mean = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks.set(sorted[k].segmentId, mean);
    i = j + 1;
  }
  return ranks;
}

/** Pearson's correlation of the rank pairs, which is Spearman's ρ with ties handled by mean ranks. */
function spearman(pairs: readonly [number, number][]): number | null {
  const n = pairs.length;
  if (n < 2) return null;
  const mean = (n + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of pairs) {
    sxy += (x - mean) * (y - mean);
    sxx += (x - mean) ** 2;
    syy += (y - mean) ** 2;
  }
  if (sxx === 0 || syy === 0) return null;
  return Math.round((sxy / Math.sqrt(sxx * syy)) * 1e6) / 1e6;
}

/** The comparison for people. */
export function comparisonText(c: RankingComparison, names: { base: string; other: string }): string {
  const lines = [
    `${c.segments} segments in both ${names.base} and ${names.other}` +
      (c.onlyInBase || c.onlyInOther ? ` (${c.onlyInBase} only in ${names.base}, ${c.onlyInOther} only in ${names.other})` : ''),
    `Spearman rank correlation: ${c.spearman ?? 'n/a'}`,
    `Top ${c.top.n}: ${c.top.overlap} in both`,
    ...c.top.base.map((id, i) => `  ${String(i + 1).padStart(3)}  ${id.padEnd(24)} ${c.top.other[i] ?? ''}`),
    `Segments per level (${names.base} → ${names.other}): ${RISK_LEVELS.map((l) => `${l} ${c.levels[l].base} → ${c.levels[l].other}`).join(', ')}`,
    `${c.moved.length} segments moved level${c.moved.length ? ':' : ''}`,
    ...c.moved.slice(0, 50).map((m) => `  ${m.segmentId}: ${m.from} → ${m.to} (rank ${m.baseRank} → ${m.otherRank}, score ${m.baseScore} → ${m.otherScore})`),
  ];
  if (c.moved.length > 50) lines.push(`  … and ${c.moved.length - 50} more`);
  return `${lines.join('\n')}\n`;
}
