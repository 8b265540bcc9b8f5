/** Who may do what in Roadloop. Values are stable API (they travel in tokens): add, never rename. */
export const ROLES = ['dispatcher', 'crew', 'inspector', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated caller, as read from a verified token. */
export interface Principal {
  /** The user's id (`sub`). */
  id: string;
  role: Role;
  /** Set for the crew role only: the road crew the user works in. */
  crewId: string | null;
}
