/**
 * The second thread of `roadloop-geo match` on a large points file: waits for the first thread's
 * index (shared memory, see SegmentMatcher#toData) and matches the second half of the file into
 * its own part file (see runMatch).
 */
import { open } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { MatchException } from '../match/match.exception';
import { SegmentMatcher, type SegmentMatcherData } from '../match/segment-matcher';
import { InputError, matchPointsRange, RowError, type PointsRange, type RangeCounts } from './match-points';

export interface MatchWorkerData {
  readonly points: string;
  readonly range: PointsRange;
  readonly toleranceM: number;
  readonly partPath: string;
}

/** What the worker posts back: its counts, or why it stopped (a row's line within its range). */
export type MatchWorkerResult =
  | { readonly ok: true; readonly counts: RangeCounts }
  | { readonly ok: false; readonly input: boolean; readonly line?: number; readonly message: string };

async function run(data: MatchWorkerData, index: SegmentMatcherData): Promise<MatchWorkerResult> {
  try {
    const matcher = SegmentMatcher.fromData(index);
    const out = await open(data.partPath, 'w');
    try {
      return { ok: true, counts: await matchPointsRange(matcher, data.points, data.range, data.toleranceM, out) };
    } finally {
      await out.close();
    }
  } catch (err) {
    if (err instanceof RowError) return { ok: false, input: true, line: err.line, message: err.reason };
    if (err instanceof InputError || err instanceof MatchException) return { ok: false, input: true, message: err.message };
    return { ok: false, input: false, message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
}

if (parentPort !== null) {
  const port = parentPort;
  // The index comes as the one message the first thread sends, once it has built it.
  port.once('message', (index: SegmentMatcherData) => {
    void run(workerData as MatchWorkerData, index).then((result) => port.postMessage(result));
  });
}
