import { Injectable } from '@nestjs/common';
import { Clock } from '../clock';
import { PhotoRepository } from '../photos/photo.repository';
import { evidenceView } from '../tasks/task-query.service';
import { taskView } from '../tasks/task.model';
import { TaskRepository } from '../tasks/task.repository';

/**
 * The inspector's queue: submitted tasks, the longest-waiting first, each with its latest evidence
 * (photos with their thumbnails), the automatic checks and their results, and the segment's risk
 * when the task was opened (the live risk is the segment's own page).
 */
@Injectable()
export class InspectionQueueService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly photos: PhotoRepository,
    private readonly clock: Clock,
  ) {}

  async queue(filter: { limit: number; jurisdictionId?: string }) {
    const now = this.clock.now();
    const waiting = await this.tasks.submittedOldestFirst(filter.limit, filter.jurisdictionId);
    const ids = waiting.map((w) => w.task.id);
    const [evidence, photos] = await Promise.all([this.tasks.latestEvidence(ids), this.photos.ofTasks(ids)]);
    return {
      items: waiting.map(({ task, location }) => {
        const latest = evidence.get(task.id);
        const checks = latest?.checks ?? [];
        return {
          ...taskView(task, now),
          location,
          riskBefore: { level: task.riskLevel, score: task.riskScore },
          waitingS: task.submittedAt ? Math.max(0, Math.round((now.getTime() - task.submittedAt.getTime()) / 1000)) : null,
          checks,
          checksPassed: checks.length > 0 && checks.every((c) => c.passed),
          evidence: latest ? evidenceView(latest, photos.get(task.id) ?? []) : null,
        };
      }),
    };
  }
}
