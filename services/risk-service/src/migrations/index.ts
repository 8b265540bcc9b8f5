import { InitialSchema1732700000000 } from './1732700000000-initial-schema';

/** Every migration of the risk service, oldest first. */
export const RISK_MIGRATIONS = [InitialSchema1732700000000];
