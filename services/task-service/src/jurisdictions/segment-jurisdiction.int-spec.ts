import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { segmentJurisdictionTopic } from '@roadloop/contracts';
import { Harness, box, openHarness, profileEvent } from '../testing/harness';
import { SegmentsPlacedNowhere1733500000000 } from '../migrations/1733500000000-segments-placed-nowhere';
import { SegmentJurisdictionCatchUp } from './segment-jurisdiction.catch-up';
import { SegmentJurisdictionService } from './segment-jurisdiction.service';

jest.setTimeout(60_000);

describe(SegmentJurisdictionService.name, () => {
  let h: Harness;
  /** The payloads of the assignment events written since the last call. */
  let seen = 0;
  const newAssignments = async () => {
    const all = await h.assignmentEvents();
    const fresh = all.slice(seen);
    seen = all.length;
    return fresh.map((e) => e.payload);
  };

  beforeAll(async () => {
    h = await openHarness('segjur');
  });
  afterAll(async () => h.close());

  it('publishes nothing for segments no area holds, then one event per segment a new area takes in', async () => {
    await h.intake.onSegmentProfile(profileEvent('west-1', [[10.02, 40.05], [10.03, 40.05]]));
    await h.intake.onSegmentProfile(profileEvent('east-1', [[10.12, 40.05], [10.13, 40.05]]));
    await h.intake.onSegmentProfile(profileEvent('far-1', [[11.5, 40.05], [11.51, 40.05]]));
    expect(await newAssignments()).toEqual([]);
    // Stored as placed nowhere (revision 0), so routing need not test the polygons again; never published.
    expect(await h.assignments.find('far-1')).toEqual({ segmentId: 'far-1', jurisdictionId: null, jurisdictionName: null, revision: 0 });

    expect(await h.areas.put('valley', 'Valley', box(10, 40, 10.2, 40.1))).toMatchObject({ created: true, reassignedSegments: 2 });
    const events = (await h.assignmentEvents()).slice(seen);
    expect(events.every((e) => segmentJurisdictionTopic.valueSchema.safeParse(e).success)).toBe(true);
    const [row] = await h.ds.query(`SELECT message_key, topic FROM outbox WHERE value->'payload'->>'segmentId' = 'east-1'`);
    expect(row).toEqual({ message_key: 'east-1', topic: 'int.roadloop.segment.jurisdiction.v1' });
    expect(await newAssignments()).toEqual([
      { segmentId: 'east-1', jurisdictionId: 'valley', jurisdictionName: 'Valley', revision: 1 },
      { segmentId: 'west-1', jurisdictionId: 'valley', jurisdictionName: 'Valley', revision: 1 },
    ]);
    expect(await h.assignments.find('far-1')).toMatchObject({ jurisdictionId: null, revision: 0 });
  });

  it('publishes only the segments whose jurisdiction changed when areas are replaced, each with the next revision', async () => {
    expect(await h.areas.put('valley', 'Valley', box(10, 40, 10.2, 40.1))).toMatchObject({ created: false, reassignedSegments: 0 });
    expect(await newAssignments()).toEqual([]);

    await h.areas.put('valley', 'Valley', box(10, 40, 10.1, 40.1));
    expect(await newAssignments()).toEqual([{ segmentId: 'east-1', jurisdictionId: null, jurisdictionName: null, revision: 2 }]);

    await h.areas.put('ridge', 'Ridge', box(10.1, 40, 10.2, 40.1));
    expect(await newAssignments()).toEqual([{ segmentId: 'east-1', jurisdictionId: 'ridge', jurisdictionName: 'Ridge', revision: 3 }]);

    await h.areas.put('ridge', 'Ridge township', box(10.1, 40, 10.2, 40.1));
    expect(await newAssignments()).toEqual([{ segmentId: 'east-1', jurisdictionId: 'ridge', jurisdictionName: 'Ridge township', revision: 4 }]);
    expect(await h.assignments.find('west-1')).toMatchObject({ jurisdictionId: 'valley', revision: 1 });
  });

  it('places a segment when its profile arrives and again when its geometry moves, not when it repeats', async () => {
    await h.intake.onSegmentProfile(profileEvent('new-1', [[10.04, 40.02], [10.05, 40.02]], {}, '2026-11-27T08:00:00Z'));
    expect(await newAssignments()).toEqual([{ segmentId: 'new-1', jurisdictionId: 'valley', jurisdictionName: 'Valley', revision: 1 }]);

    await h.intake.onSegmentProfile(profileEvent('new-1', [[10.04, 40.02], [10.05, 40.02]], { name: 'Same road' }, '2026-11-27T09:00:00Z'));
    expect(await newAssignments()).toEqual([]);

    await h.intake.onSegmentProfile(profileEvent('new-1', [[10.14, 40.02], [10.15, 40.02]], {}, '2026-11-27T10:00:00Z'));
    expect(await newAssignments()).toEqual([{ segmentId: 'new-1', jurisdictionId: 'ridge', jurisdictionName: 'Ridge township', revision: 2 }]);

    // An older profile (a late redelivery) changes nothing.
    await h.intake.onSegmentProfile(profileEvent('new-1', [[10.04, 40.02], [10.05, 40.02]], {}, '2026-11-27T07:00:00Z'));
    expect(await newAssignments()).toEqual([]);
  });

  it('lets a bulk load replace its areas first and recompute once', async () => {
    await h.areas.put('valley', 'Valley', box(10, 40, 10.15, 40.1), { reassignSegments: false });
    await h.areas.put('ridge', 'Ridge township', box(10.15, 40, 10.2, 40.1), { reassignSegments: false });
    expect(await newAssignments()).toEqual([]);
    // Routing follows the assignments as published: the load's areas decide once it recomputes.
    expect(await h.jurisdictions.forSegments(['east-1', 'new-1'])).toEqual(new Map([['east-1', 'ridge'], ['new-1', 'ridge']]));
    expect(await h.areas.reassignSegments('load-1')).toBe(2);
    expect(await h.jurisdictions.forSegments(['east-1', 'new-1', 'far-1', 'nowhere'])).toEqual(
      new Map([['east-1', 'valley'], ['new-1', 'valley'], ['far-1', null], ['nowhere', null]]),
    );
    const events = (await h.assignmentEvents()).slice(seen);
    expect(events.map((e) => e.correlationId)).toEqual(['load-1', 'load-1']);
    expect(await newAssignments()).toEqual([
      { segmentId: 'east-1', jurisdictionId: 'valley', jurisdictionName: 'Valley', revision: 5 },
      { segmentId: 'new-1', jurisdictionId: 'valley', jurisdictionName: 'Valley', revision: 3 },
    ]);
    expect(await h.areas.reassignSegments()).toBe(0);
  });

  it('writes the assignments and their events in the caller\'s transaction, so both roll back together', async () => {
    await h.intake.onSegmentProfile(profileEvent('late-1', [[10.17, 40.07], [10.18, 40.07]]));
    const published = await newAssignments();
    await h.ds.query(`DELETE FROM segment_jurisdiction WHERE segment_id = 'late-1'`);
    await expect(
      h.tx.run(async (scope) => {
        expect(await h.segmentJurisdictions.reassignSegments(['late-1'], 'c-rollback', scope)).toHaveLength(1);
        throw new Error('a later step failed');
      }),
    ).rejects.toThrow('a later step failed');
    expect(await h.assignments.find('late-1')).toBeNull();
    expect(await newAssignments()).toEqual([]);
    expect(published).toEqual([{ segmentId: 'late-1', jurisdictionId: 'ridge', jurisdictionName: 'Ridge township', revision: 1 }]);
  });

  it('routes a segment with no stored assignment by the rule, and at start-up places it and every other, once', async () => {
    const catchUp = new SegmentJurisdictionCatchUp(h.assignments, h.tx, h.segmentJurisdictions);
    // No catch-up is pending (the migration found every segment placed), though the test before left late-1 unplaced.
    expect(await catchUp.run()).toBeNull();
    // Stored before assignments were: in a valley, neither placed nor announced; and one in no area, not placed either.
    await h.intake.onSegmentProfile(profileEvent('old-1', [[10.06, 40.03], [10.07, 40.03]]));
    await h.intake.onSegmentProfile(profileEvent('old-2', [[12.5, 40.05], [12.51, 40.05]]));
    await h.ds.query(`DELETE FROM segment_jurisdiction WHERE segment_id IN ('old-1', 'old-2')`);
    await h.ds.query(`DELETE FROM outbox WHERE message_key IN ('old-1', 'old-2')`);
    await newAssignments();
    expect(await h.jurisdictions.forSegments(['old-1', 'old-2', 'west-1', 'nowhere'])).toEqual(
      new Map([['old-1', 'valley'], ['old-2', null], ['west-1', 'valley'], ['nowhere', null]]),
    );
    // The migration places those no area touches, without announcing them, and flags the rest.
    const runner = h.ds.createQueryRunner();
    try {
      await new SegmentsPlacedNowhere1733500000000().up(runner);
    } finally {
      await runner.release();
    }
    expect(await h.assignments.find('old-2')).toEqual({ segmentId: 'old-2', jurisdictionId: null, jurisdictionName: null, revision: 0 });
    expect(await h.assignments.find('old-1')).toBeNull();
    // The service's start places the rest and announces them; the next start finds nothing to do.
    expect(await catchUp.run()).toBe(2);
    expect(await newAssignments()).toEqual([
      { segmentId: 'late-1', jurisdictionId: 'ridge', jurisdictionName: 'Ridge township', revision: 1 },
      { segmentId: 'old-1', jurisdictionId: 'valley', jurisdictionName: 'Valley', revision: 1 },
    ]);
    expect(await catchUp.run()).toBeNull();
  });
});
