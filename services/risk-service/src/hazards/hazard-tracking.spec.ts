import { describe, expect, it } from '@jest/globals';
import { TrackedHazardRow, trackingOf, trackingStage } from './hazard-tracking';

const row = (over: Partial<TrackedHazardRow> = {}): TrackedHazardRow => ({
  id: '6f1c1c9e-8a43-4b8e-9a43-1d2f3e4a5b6c',
  category: 'rockfall',
  severity: 'high',
  lon: 1.52,
  lat: 42.5,
  description: 'Boulders on the lane',
  photoUrls: [],
  status: 'open',
  reportedAt: '2026-03-01T08:00:00.000Z',
  assessed: false,
  resolvedAt: null,
  segmentId: null,
  roadName: null,
  roadClass: null,
  jurisdictionName: null,
  task: null,
  ...over,
});
const task = (status: string, updatedAt = '2026-03-01T09:00:00.000Z') => ({ countermeasure: 'rockfall_clearing', status, updatedAt, verifiedAt: null });

describe(trackingStage.name, () => {
  it('is received until the report is on a road', () => {
    expect(trackingStage(row())).toBe('received');
    expect(trackingStage(row({ assessed: true }))).toBe('received');
  });

  it('is matched on a road without a task that fixes it', () => {
    expect(trackingStage(row({ segmentId: 'w1-0' }))).toBe('matched');
  });

  it('is linked while a task that will resolve it is open, whatever its step', () => {
    for (const status of ['created', 'assigned', 'accepted', 'in_progress', 'submitted', 'rejected', 'unable_to_fix', 'reopened']) {
      expect(trackingStage(row({ segmentId: 'w1-0', task: task(status) }))).toBe('linked');
    }
  });

  it('is not linked by a cancelled task', () => {
    expect(trackingStage(row({ segmentId: 'w1-0', task: task('cancelled') }))).toBe('matched');
  });

  it('is fixed once resolved, and only then', () => {
    expect(trackingStage(row({ segmentId: 'w1-0', status: 'resolved', task: task('verified') }))).toBe('fixed');
    expect(trackingStage(row({ segmentId: 'w1-0', status: 'duplicate', task: task('submitted') }))).toBe('linked');
  });
});

describe(trackingOf.name, () => {
  it('says where the report was placed', () => {
    expect(trackingOf(row(), false).placement).toBe('pending');
    expect(trackingOf(row({ assessed: true }), false).placement).toBe('off_road');
    expect(trackingOf(row({ assessed: true, segmentId: 'w1-0', roadName: 'CG-2' }), false)).toMatchObject({
      placement: 'on_road',
      road: { segmentId: 'w1-0', name: 'CG-2', roadClass: null, jurisdiction: null },
    });
  });

  it('is updated at the latest of the report, its task and its resolution', () => {
    const resolved = row({ segmentId: 'w1-0', status: 'resolved', resolvedAt: '2026-03-04T10:00:00.000Z', task: task('verified', '2026-03-04T09:59:00.000Z') });
    expect(trackingOf(resolved, false).updatedAt).toBe('2026-03-04T10:00:00.000Z');
    expect(trackingOf(row(), false).updatedAt).toBe('2026-03-01T08:00:00.000Z');
  });

  it('shows the task without its id', () => {
    const view = trackingOf(row({ segmentId: 'w1-0', task: task('assigned') }), true);
    expect(view.task).toEqual({ countermeasure: 'rockfall_clearing', status: 'assigned', updatedAt: '2026-03-01T09:00:00.000Z' });
    expect(view.duplicate).toBe(true);
    expect(JSON.stringify(view)).not.toMatch(/taskId|duplicateOf|reporter/);
  });
});
