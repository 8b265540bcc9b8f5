import { TxScope } from '@roadloop/persistence';
import { TaskRecord } from './task.model';

/**
 * What else a verified fix changes, in the verification's transaction: a guardrail verified on a
 * stretch stands on every member's side (the roadside inventory records it). A token the roadside
 * module provides, so that the task commands need not import it.
 */
export abstract class VerifiedFixHook {
  abstract onVerified(task: TaskRecord, scope: TxScope): Promise<void>;
}
