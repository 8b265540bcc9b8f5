import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { TASK_CONFIG, TaskConfig } from '../config';
import { DailyIndexService } from './daily-index.service';

/**
 * The only writer of the daily index: at start-up and then every `DAILY_INDEX_RECORD_MS`, records
 * today's live rows and freezes the days that ended. Reads compute without storing.
 */
@Injectable()
export class DailyIndexRecorder implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DailyIndexRecorder.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly daily: DailyIndexService,
    @Inject(TASK_CONFIG) private readonly config: TaskConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.config.DAILY_INDEX_RECORD_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.daily
      .record()
      .then(({ live, frozen }) => this.logger.debug(`daily index: ${live} live rows recorded, ${frozen} frozen`))
      .catch((err: Error) => this.logger.error(`daily index recording failed: ${err.message}`))
      .finally(() => (this.running = undefined));
  }
}
