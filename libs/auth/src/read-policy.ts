import { Principal, ROLES, Role } from './roles';

/**
 * What each role sees when it reads: the one place that decides it, for every service, route and
 * the live feed. A route lists the roles it admits with {@link rolesThatRead}; an answer that
 * several roles read is cut to the caller's {@link ReadView}.
 */
export interface ReadView {
  /**
   * Crash records — time, position, deaths and injuries, the police's external ids — or only how
   * many there are. Road crews fix roads; casualties are police and analysis data.
   */
  crashes: 'records' | 'count';
  /** Every crew's tasks, or only the caller's own crew's (in lists, details, segment pages and the live feed). */
  tasks: 'all' | 'own-crew';
  /** The reports that matched no road: a dispatcher's work queue, crash details included. */
  unmatchedReports: boolean;
  /**
   * Photos villagers sent with their reports (they may show people, houses, number plates). A crew
   * is not given them: which reports led to its tasks is not known where the photos are kept.
   */
  reportPhotos: boolean;
}

const OFFICE: ReadView = { crashes: 'records', tasks: 'all', unmatchedReports: true, reportPhotos: true };

export const READ_VIEWS: Readonly<Record<Role, ReadView>> = {
  dispatcher: OFFICE,
  inspector: OFFICE,
  analyst: OFFICE,
  admin: OFFICE,
  crew: { crashes: 'count', tasks: 'own-crew', unmatchedReports: false, reportPhotos: false },
};

export const readViewOf = (principal: Pick<Principal, 'role'>): ReadView => READ_VIEWS[principal.role];

/** The roles whose view passes `test`, for a route's `@Roles(...)`. */
export const rolesThatRead = (test: (view: ReadView) => boolean): Role[] => ROLES.filter((role) => test(READ_VIEWS[role]));

/** Whether the caller may see a task of this crew (null: a task not assigned yet). */
export function seesTaskOf(principal: Principal, crewId: string | null): boolean {
  return readViewOf(principal).tasks === 'all' || (crewId !== null && crewId === principal.crewId);
}
