import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { reportMatchedTopic, segmentProfileTopic, segmentRiskChangedV2Topic } from '@roadloop/contracts';
import { InvalidEventError } from '@roadloop/kafka';
import { ReplayPublisher } from './replay-publisher';

const matched = () => ({
  kind: 'hazard' as const, hazardId: randomUUID(), category: 'rockfall' as const, severity: 'high' as const, reportedAt: '2026-01-01T00:00:00Z',
  segmentId: 'w1-0', distanceM: 3, offsetM: 10, lon: 1.5, lat: 42.5,
});

describe(ReplayPublisher.name, () => {
  it("queues report-matched for the rebuild, stamped with the replay's now, in order and once", async () => {
    const publisher = new ReplayPublisher();
    publisher.now = new Date('2026-03-04T05:06:07.089Z');
    const [a, b] = [matched(), matched()];
    await publisher.publish(reportMatchedTopic, a, { correlationId: 'c1' });
    await publisher.publish(reportMatchedTopic, b, { correlationId: 'c2' });
    const taken = publisher.takeMatched();
    expect(taken.map((e) => [e.payload, e.occurredAt, e.correlationId])).toEqual([
      [a, '2026-03-04T05:06:07.089Z', 'c1'],
      [b, '2026-03-04T05:06:07.089Z', 'c2'],
    ]);
    expect(publisher.takeMatched()).toEqual([]);
  });

  it('counts level changes instead of announcing them, and refuses any other topic or an invalid event', async () => {
    const publisher = new ReplayPublisher();
    await publisher.publish(
      segmentRiskChangedV2Topic,
      { segmentId: 'w1-0', previousLevel: 'low', level: 'medium', score: 0.1, alarm: 'green', revision: 2, factors: [], modelVersion: '2.0.0' },
      { correlationId: 'c' },
    );
    expect(publisher.announcementsWithheld).toBe(1);
    // A run's level changes, announced together.
    const change = { segmentId: 'w1-1', previousLevel: 'low' as const, level: 'high' as const, score: 0.4, alarm: 'yellow' as const, revision: 3, factors: [], modelVersion: '2.0.0' };
    await publisher.publishEach(segmentRiskChangedV2Topic, [{ payload: change, options: { correlationId: 'c1' } }, { payload: { ...change, segmentId: 'w1-2' }, options: { correlationId: 'c2' } }]);
    expect(publisher.announcementsWithheld).toBe(3);
    await expect(publisher.publish(segmentProfileTopic, {} as never, { correlationId: 'c' })).rejects.toThrow(InvalidEventError);
    const profile = {
      segmentId: 'w1-0', geometry: { type: 'LineString' as const, coordinates: [[1.5, 42.5], [1.51, 42.5]] as [number, number][] }, roadClass: 'primary', name: null,
      lengthM: 800, waterDistanceM: null, waterSide: null, cliffSide: null, dropLeftM: null, dropRightM: null, guardrail: { left: 0, right: 0 }, exposureScore: 1, exposureLevel: 'low',
    };
    await expect(publisher.publish(segmentProfileTopic, profile, { correlationId: 'c' })).rejects.toThrow(/publishes nothing.*roadloop\.segment\.profile\.v1/);
    await expect(publisher.publishMany(segmentProfileTopic)).rejects.toThrow(/publishes nothing/);
  });
});
