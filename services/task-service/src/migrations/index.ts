import { InitialSchema1732700000000 } from './1732700000000-initial-schema';

/** Every migration of the task service, oldest first. */
export const TASK_MIGRATIONS = [InitialSchema1732700000000];
