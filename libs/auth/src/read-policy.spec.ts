import { describe, expect, it } from '@jest/globals';
import { READ_VIEWS, rolesThatRead, seesTaskOf } from './read-policy';
import { Principal } from './roles';

const crew: Principal = { id: 'wang', role: 'crew', crewId: 'crew-1' };
const dispatcher: Principal = { id: 'alice', role: 'dispatcher', crewId: null };

describe('read policy', () => {
  it('keeps crash records and the unmatched-report queue from road crews, and lets every other role read them', () => {
    expect(rolesThatRead((v) => v.crashes === 'records')).toEqual(['dispatcher', 'inspector', 'analyst', 'admin']);
    expect(rolesThatRead((v) => v.unmatchedReports)).toEqual(['dispatcher', 'inspector', 'analyst', 'admin']);
    expect(READ_VIEWS.crew).toEqual({ crashes: 'count', tasks: 'own-crew', unmatchedReports: false, reportPhotos: false });
  });

  it("gives villagers' report photos to the office roles, not to road crews", () => {
    expect(rolesThatRead((v) => v.reportPhotos)).toEqual(['dispatcher', 'inspector', 'analyst', 'admin']);
  });

  it('shows a crew its own crew\'s tasks only (not unassigned ones), and every task to the other roles', () => {
    expect(seesTaskOf(crew, 'crew-1')).toBe(true);
    expect(seesTaskOf(crew, 'crew-2')).toBe(false);
    expect(seesTaskOf(crew, null)).toBe(false);
    expect(seesTaskOf(dispatcher, 'crew-2')).toBe(true);
    expect(seesTaskOf(dispatcher, null)).toBe(true);
  });
});
