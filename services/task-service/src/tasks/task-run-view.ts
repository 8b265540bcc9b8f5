import { TxScope } from '@roadloop/persistence';
import { SegmentRefRepository } from '../segments/segment-ref.repository';
import { TaskRecord } from './task.model';
import { TaskKey, TaskRepository, taskKeyOf as keyOf } from './task.repository';

/** What a run already knows about a segment where a task may be opened (absent: not known, look it up). */
export interface SegmentSight {
  /** The segment's unresolved hazards, as `unresolvedHazards` reads them (the run's own hazards included). */
  unresolved?: readonly { hazardId: string; category: string }[];
  /** The segment's jurisdiction (null: none holds it). */
  jurisdictionId?: string | null;
}

/**
 * A run's view of the tasks its hazards concern: per segment and countermeasure, the open task and
 * the latest verified one, read and locked with one query each (in (segment, countermeasure) order);
 * and the hazard links collected meanwhile, written with one statement when `flush`ed. For the
 * segments where the run may open tasks, their unresolved hazards and jurisdictions, read with one
 * query each. The caller flushes before anything that reads tasks from the database, and tells the
 * view what it opened or reloads a segment after changing its tasks otherwise. The tasks the run
 * opened and wrote aside (`TaskLedger.flushTasks`) are written before the view reads or writes any.
 */
export class TaskRunView {
  private keys: TaskKey[] = [];
  private readonly open = new Map<string, TaskRecord>();
  private readonly verified = new Map<string, TaskRecord>();
  private links: { taskId: string; hazardId: string }[] = [];
  private readonly unresolved = new Map<string, { hazardId: string; category: string }[]>();
  private jurisdictions = new Map<string, string | null>();

  constructor(
    private readonly tasks: TaskRepository,
    private readonly segments: SegmentRefRepository,
    private readonly scope: TxScope,
    /** Writes what the run wrote aside (the tasks it opened), before the view reads or writes tasks. */
    private readonly beforeTasks: () => Promise<void> = () => Promise.resolve(),
  ) {}

  /** Reads the unresolved hazards of the segments where tasks may be opened; keeps their jurisdictions. */
  async prepareOpens(segmentIds: readonly string[], jurisdictions: Map<string, string | null>): Promise<void> {
    this.jurisdictions = jurisdictions;
    if (!segmentIds.length) return;
    for (const [id, hazards] of await this.segments.unresolvedHazardsOf(segmentIds, this.scope)) this.unresolved.set(id, hazards);
  }

  /** The segments with a verified fix in the view (where a hazard may reopen one). */
  segmentsWithVerified(): string[] {
    return [...new Set([...this.verified.values()].map((t) => t.segmentId))];
  }

  sightOf(segmentId: string): SegmentSight {
    return { unresolved: this.unresolved.get(segmentId), jurisdictionId: this.jurisdictions.get(segmentId) };
  }

  /** A task the run opened (nothing else changed on its segment). */
  opened(task: TaskRecord): void {
    this.open.set(keyOf(task), task);
  }

  /**
   * Reads again the tasks of one segment after the one-at-a-time code changed them (reopened a fix:
   * its hazards are unresolved again, read again when needed).
   */
  async changed(segmentId: string): Promise<void> {
    this.unresolved.delete(segmentId);
    // What the run collected is written first: a link read back without it would be lost by the next
    // change written from the copy read (a reopen writes the task's whole hazard list).
    await this.flush();
    await this.read(this.keys.filter((k) => k.segmentId === segmentId));
  }

  async load(keys: readonly TaskKey[]): Promise<void> {
    await this.beforeTasks();
    const unique = new Map(keys.map((k) => [keyOf(k), k]));
    this.keys = [...unique.values()];
    await this.read(this.keys);
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

  /** Writes the tasks the run opened and the links collected, for what follows to read. */
  async flush(): Promise<void> {
    await this.beforeTasks();
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
