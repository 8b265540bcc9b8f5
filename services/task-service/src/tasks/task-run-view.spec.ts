import { describe, expect, it } from '@jest/globals';
import { TxScope } from '@roadloop/persistence';
import { SegmentRefRepository } from '../segments/segment-ref.repository';
import { TaskRunView } from './task-run-view';
import { TaskRecord } from './task.model';
import { TaskKey, TaskRepository } from './task.repository';

const verified = { id: 'v1', segmentId: 's1', countermeasure: 'drainage', status: 'verified', hazardIds: ['h0'], verifiedAt: new Date('2026-11-01T00:00:00Z') } as TaskRecord;

/** A view over a repository that records, in order, what the view wrote and read. */
function viewWithLog() {
  const log: string[] = [];
  const tasks = {
    lockOpenOf: async (keys: readonly TaskKey[]) => {
      log.push(`read open ${keys.map((k) => k.segmentId).join(',')}`);
      return [];
    },
    lockVerifiedOf: async (keys: readonly TaskKey[]) => {
      log.push(`read verified ${keys.map((k) => k.segmentId).join(',')}`);
      return [{ ...verified, hazardIds: [...verified.hazardIds] }];
    },
    linkHazardsMany: async (links: readonly { taskId: string; hazardId: string }[]) => {
      log.push(`link ${links.map((l) => `${l.taskId}+${l.hazardId}`).join(',')}`);
    },
  } as unknown as TaskRepository;
  const view = new TaskRunView(tasks, {} as SegmentRefRepository, {} as TxScope, async () => void log.push('tasks written'));
  return { view, log };
}

describe(TaskRunView.name, () => {
  it('writes the links it collected and the tasks written aside before it reads a changed segment again', async () => {
    const { view, log } = viewWithLog();
    await view.load([{ segmentId: 's1', countermeasure: 'drainage' }]);
    const fix = view.lastVerifiedOf({ segmentId: 's1', countermeasure: 'drainage' })!;
    view.link(fix, 'h1');
    log.length = 0;
    await view.changed('s1');
    expect(log).toEqual(['tasks written', 'link v1+h1', 'read open s1', 'read verified s1']);
    // Nothing is written twice.
    log.length = 0;
    await view.flush();
    expect(log).toEqual(['tasks written']);
  });

  it('writes the tasks written aside before its first read, and before the links of a flush', async () => {
    const { view, log } = viewWithLog();
    await view.load([{ segmentId: 's1', countermeasure: 'drainage' }]);
    view.link(view.lastVerifiedOf({ segmentId: 's1', countermeasure: 'drainage' })!, 'h2');
    await view.flush();
    expect(log).toEqual(['tasks written', 'read open s1', 'read verified s1', 'tasks written', 'link v1+h2']);
  });
});
