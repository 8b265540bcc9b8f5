import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { TransactionRunner } from '@roadloop/persistence';
import { Clock } from '../clock';
import { TASK_CONFIG, TaskConfig } from '../config';
import { OutboxNudge } from '../outbox/outbox-nudge';
import { TaskLedger } from './task-ledger.service';
import { SYSTEM_ACTOR } from './task.model';
import { TaskRepository } from './task.repository';

const BATCH = 200;

/**
 * Escalates overdue tasks on a schedule: each overdue task once (an `escalated` event and the flag);
 * a reopening clears the flag for its new SLA. Replicas share the work with SKIP LOCKED.
 */
@Injectable()
export class EscalationService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EscalationService.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly tasks: TaskRepository,
    private readonly ledger: TaskLedger,
    private readonly clock: Clock,
    private readonly outbox: OutboxNudge,
    @Inject(TASK_CONFIG) private readonly config: TaskConfig,
  ) {}

  /** One round; returns the ids of the tasks escalated. */
  async escalateOverdue(): Promise<string[]> {
    const escalated: string[] = [];
    for (;;) {
      const batch = await this.tx.run(async (scope) => {
        const now = this.clock.now();
        const overdue = await this.tasks.lockOverdueUnescalated(now, BATCH, scope);
        for (const task of overdue) {
          const hours = Math.floor((now.getTime() - task.dueAt.getTime()) / 3_600_000);
          await this.ledger.apply(
            task,
            'escalate',
            { actor: SYSTEM_ACTOR, correlationId: task.correlationId, reason: `overdue by ${hours} h (due ${task.dueAt.toISOString()})` },
            scope,
          );
        }
        return overdue.map((t) => t.id);
      });
      escalated.push(...batch);
      if (batch.length < BATCH) break;
    }
    if (escalated.length) {
      this.logger.log(`escalated ${escalated.length} overdue tasks`);
      this.outbox.nudge();
    }
    return escalated;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.escalateOverdue()
        .catch((err) => this.logger.error(`escalation round failed: ${(err as Error).message}`))
        .finally(() => (this.running = undefined));
    }, this.config.ESCALATION_INTERVAL_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
