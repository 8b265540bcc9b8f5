import { TxScope } from '@roadloop/persistence';
import { TaskRecord } from './task.model';
import { TaskKey, TaskRepository } from './task.repository';

/**
 * A run's view of the tasks its hazards concern: per segment and countermeasure, the open task and
 * the latest verified one, read and locked with one query each (in (segment, countermeasure) order);
 * and the hazard links collected meanwhile, written with one statement when `flush`ed. The caller
 * flushes before anything that reads tasks from the database and reloads a segment after changing
 * its tasks.
 */
export class TaskRunView {
  private keys: TaskKey[] = [];
  private readonly open = new Map<string, TaskRecord>();
  private readonly verified = new Map<string, TaskRecord>();
  private links: { taskId: string; hazardId: string }[] = [];

  constructor(
    private readonly tasks: TaskRepository,
    private readonly scope: TxScope,
  ) {}

  async load(keys: readonly TaskKey[]): Promise<void> {
    const unique = new Map(keys.map((k) => [keyOf(k), k]));
    this.keys = [...unique.values()];
    await this.read(this.keys);
  }

  /** Reads again the tasks of one segment (after the one-at-a-time code changed them). */
  reload(segmentId: string): Promise<void> {
    return this.read(this.keys.filter((k) => k.segmentId === segmentId));
  }

  openOf(key: TaskKey): TaskRecord | null {
    return this.open.get(keyOf(key)) ?? null;
  }

  lastVerifiedOf(key: TaskKey): TaskRecord | null {
    return this.verified.get(keyOf(key)) ?? null;
  }

  /** Adds a hazard to a task of the view (as `linkHazards` would: once, at the end). */
  link(task: TaskRecord, hazardId: string): void {
    if (!task.hazardIds.includes(hazardId)) task.hazardIds = [...task.hazardIds, hazardId];
    this.links.push({ taskId: task.id, hazardId });
  }

  async flush(): Promise<void> {
    if (!this.links.length) return;
    const links = this.links;
    this.links = [];
    await this.tasks.linkHazardsMany(links, this.scope);
  }

  private async read(keys: readonly TaskKey[]): Promise<void> {
    if (!keys.length) return;
    for (const k of keys) {
      this.open.delete(keyOf(k));
      this.verified.delete(keyOf(k));
    }
    for (const t of await this.tasks.lockOpenOf(keys, this.scope)) this.open.set(keyOf(t), t);
    // Latest verification first: the first of each key is the fix in question.
    for (const t of await this.tasks.lockVerifiedOf(keys, this.scope)) if (!this.verified.has(keyOf(t))) this.verified.set(keyOf(t), t);
  }
}

const keyOf = (k: TaskKey) => `${k.segmentId}\u0000${k.countermeasure}`;
