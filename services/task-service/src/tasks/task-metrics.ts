import { Injectable, OnModuleInit } from '@nestjs/common';
import { ObservabilityRegistry } from '@roadloop/core';
import { Clock } from '../clock';
import { TaskRepository } from './task.repository';

/** Open, overdue and unassigned tasks by priority, counted at scrape time for /metrics. */
@Injectable()
export class TaskMetrics implements OnModuleInit {
  constructor(
    private readonly registry: ObservabilityRegistry,
    private readonly tasks: TaskRepository,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.registry.addCollector(async () => {
      const totals = await this.tasks.totals(this.clock.now());
      const family = (name: string, help: string, pick: (t: (typeof totals)[number]) => number) => ({
        name,
        help,
        type: 'gauge' as const,
        samples: totals.map((t) => ({ labels: { priority: t.priority }, value: pick(t) })),
      });
      return [
        family('roadloop_tasks_open', 'Open rectification tasks', (t) => t.open),
        family('roadloop_tasks_overdue', 'Open tasks past their due time with the fix still owed', (t) => t.overdue),
        family('roadloop_tasks_unassigned', 'Open tasks no crew holds', (t) => t.unassigned),
      ];
    });
  }
}
