/**
 * The scoring engine's two entry points: `scoreNetwork`, pure and synchronous over a network and an
 * elevation model already in memory (score/score-network.ts, built from the small functions beside
 * it), and `scoreFiles`, which reads an OSM extract, SRTM tiles and a configuration file and calls
 * it (score/score-files.ts; used by the CLI and by the risk-service import).
 */
export { scoreNetwork } from './score/score-network';
export type { ScoreNetworkOptions, ScoreResult } from './score/score-network';
export { scoreFiles } from './score/score-files';
export type { ScoreFilesOptions } from './score/score-files';
export type { ScoreSummary } from './score/score-summary';
export type { CliffSide, ScoredSegment, SegmentProperties } from './score/segment-properties';
