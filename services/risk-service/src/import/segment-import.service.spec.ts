import { describe, expect, it } from '@jest/globals';
import type { TransactionRunner, TxScope } from '@roadloop/persistence';
import type { RankingStore } from '../risk/ranking.store';
import type { SegmentRiskRepository } from '../risk/segment-risk.repository';
import type { SegmentRecord, SegmentRepository, WrittenReach } from '../segments/segment.repository';
import { REJECTIONS_LISTED, Rejections, SegmentImportService } from './segment-import.service';

function feature(n: number, id = `w${Math.floor(n / 10)}-${n % 10}`): unknown {
  return {
    type: 'Feature',
    properties: { id, osmWayId: Math.floor(n / 10), index: n % 10, lengthM: 100, roadClass: 'tertiary', exposureScore: 10, exposureLevel: 'low' },
    geometry: { type: 'LineString', coordinates: [[1.5, 42.5 + n * 1e-4], [1.501, 42.5 + n * 1e-4]] },
  };
}

/** An import against repositories that record what they were given, with a source that counts what was read. */
function harness(batchSize: number) {
  const written: { batch: string[]; readBefore: number }[] = [];
  let read = 0;
  const rows = new Map<string, SegmentRecord>();
  async function* source(total: number, extra: unknown[] = []): AsyncGenerator<unknown> {
    for (let n = 0; n < total; n++, read++) yield feature(n);
    for (const f of extra) {
      yield f;
      read++;
    }
  }
  const segments = {
    analyze: async () => undefined,
    upsert: async (records: readonly SegmentRecord[]) => {
      written.push({ batch: records.map((r) => r.id), readBefore: read });
      const repeated = records.filter((r) => rows.has(r.id)).map((r) => r.id);
      for (const r of records) if (!rows.has(r.id)) rows.set(r.id, r);
      return { inserted: records.length - repeated.length, updated: 0, repeated };
    },
    writtenReaches: async (afterId: string, limit: number): Promise<{ reaches: WrittenReach[]; lastId: string | null }> => {
      const page = [...rows.values()]
        .filter((r) => r.id > afterId)
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .slice(0, limit);
      return {
        reaches: page.map((r) => ({ id: r.id, lengthM: r.lengthM, roadClass: r.roadClass, attributes: r.attributes, exposureScore: r.exposureScore, neighbours: [] })),
        lastId: page.at(-1)?.id ?? null,
      };
    },
  } as unknown as SegmentRepository;
  const seeded: string[] = [];
  const risks = { seedMissing: async (batch: { segmentId: string }[]) => seeded.push(...batch.map((r) => r.segmentId)) } as unknown as SegmentRiskRepository;
  const tx = { run: <T>(work: (scope: TxScope) => Promise<T>) => work({} as TxScope) } as TransactionRunner;
  const ranking = { rebuild: async () => rows.size } as unknown as RankingStore;
  return { service: new SegmentImportService(tx, segments, risks, ranking), source, written, seeded, batchSize };
}

describe(SegmentImportService.name, () => {
  it('writes each batch as soon as it is read: never more than one batch of features held', async () => {
    const h = harness(7);
    const report = await h.service.importFeatures(h.source(50), new Map(), h.batchSize);
    expect(report).toMatchObject({ read: 50, inserted: 50, rejectedCount: 0, rejected: [], ranked: 50 });
    expect(h.written.map((w) => w.batch.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 1]);
    // Each batch is written before the feature after it is read.
    expect(h.written.map((w) => w.readBefore)).toEqual([6, 13, 20, 27, 34, 41, 48, 50]);
    expect(h.seeded).toHaveLength(50);
  });

  it('rejects invalid features and repeated ids by index, within a batch and across batches, keeping the first', async () => {
    const h = harness(4);
    // Batches: 0–3, 4–7, then 8, 9, 10 (w0-1 again: found by the store), 12; then 13, 14 (y again: found in the batch).
    const extra = [feature(0, 'w0-1'), { type: 'Feature' }, feature(3, 'x'), feature(4, 'y'), feature(5, 'y')];
    const report = await h.service.importFeatures(h.source(10, extra), new Map(), h.batchSize);
    expect(report.read).toBe(15);
    expect(report.inserted).toBe(12);
    expect(report.rejected.map((r) => [r.index, r.reason.startsWith('duplicate') ? r.reason : 'invalid'])).toEqual([
      [10, 'duplicate segment id w0-1'],
      [11, 'invalid'],
      [14, 'duplicate segment id y'],
    ]);
    expect(report.rejectedCount).toBe(3);
  });

  it('counts every rejected feature but lists only the first ones by index, also one the store finds last', async () => {
    const h = harness(10);
    // 10 segments (one batch, written), then w0-0 again (in a batch written only at the end, where the
    // store finds it repeated) and 3 × REJECTIONS_LISTED invalid features.
    const bad = [feature(0), ...Array.from({ length: 3 * REJECTIONS_LISTED }, () => ({ type: 'Feature' }))];
    const report = await h.service.importFeatures(h.source(10, bad), new Map(), h.batchSize);
    expect(report.read).toBe(10 + bad.length);
    expect(report.inserted).toBe(10);
    expect(report.rejectedCount).toBe(bad.length);
    const listed = report.rejected.map((r) => [r.index, r.reason.startsWith('duplicate') ? r.reason : 'invalid']);
    expect(listed).toEqual(Array.from({ length: REJECTIONS_LISTED }, (_, i) => [10 + i, i === 0 ? 'duplicate segment id w0-0' : 'invalid']));
  });

  it('holds fewer than twice the listed rejections at any time, however many arrive, out of order or not', () => {
    const rejections = new Rejections(100);
    let most = 0;
    // Indexes 0–8,999 in blocks of 150, each given in reverse order: the list is cut mid-block.
    for (let block = 0; block < 9_000; block += 150) {
      for (let i = block + 149; i >= block; i--) {
        rejections.add(i, `bad ${i}`);
        most = Math.max(most, rejections.held);
      }
    }
    expect(rejections.count).toBe(9_000);
    expect(most).toBeLessThan(200);
    expect(rejections.first().map((r) => r.index)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
