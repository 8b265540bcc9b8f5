import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { TASK_STATUSES, TaskStatus } from '@roadloop/contracts';
import { CLOSED_STATUSES, OPEN_STATUSES, TASK_ACTIONS, TaskAction, legalTransitions, transition } from './task-lifecycle';

describe(transition.name, () => {
  it.each([
    ['created', 'assign', 'assigned', 'assigned'],
    ['reopened', 'assign', 'assigned', 'assigned'],
    ['assigned', 'assign', 'assigned', 'reassigned'],
    ['accepted', 'assign', 'assigned', 'reassigned'],
    ['in_progress', 'assign', 'assigned', 'reassigned'],
    ['rejected', 'assign', 'assigned', 'reassigned'],
    ['assigned', 'accept', 'accepted', 'accepted'],
    ['accepted', 'start', 'in_progress', 'started'],
    ['rejected', 'start', 'in_progress', 'started'],
    ['in_progress', 'submit', 'submitted', 'submitted'],
    ['submitted', 'verify', 'verified', 'verified'],
    ['submitted', 'reject', 'rejected', 'rejected'],
    ['verified', 'reopen', 'reopened', 'reopened'],
    ['created', 'cancel', 'cancelled', 'cancelled'],
    ['submitted', 'cancel', 'cancelled', 'cancelled'],
    ['reopened', 'mark_duplicate', 'duplicate', 'marked_duplicate'],
    ['in_progress', 'unable_to_fix', 'unable_to_fix', 'unable_to_fix'],
    ['accepted', 'escalate', 'accepted', 'escalated'],
  ] as [TaskStatus, TaskAction, TaskStatus, string][])('%s --%s--> %s (%s)', (from, action, to, change) => {
    expect(transition(from, action)).toEqual({ ok: true, to, change });
  });

  it.each([
    ['created', 'accept'],
    ['created', 'submit'],
    ['assigned', 'start'],
    ['assigned', 'verify'],
    ['accepted', 'submit'],
    ['in_progress', 'verify'],
    ['in_progress', 'accept'],
    ['submitted', 'assign'],
    ['submitted', 'start'],
    ['submitted', 'escalate'],
    ['rejected', 'submit'],
    ['verified', 'verify'],
    ['verified', 'cancel'],
    ['verified', 'assign'],
    ['cancelled', 'reopen'],
    ['cancelled', 'assign'],
    ['duplicate', 'cancel'],
    ['unable_to_fix', 'reopen'],
    ['reopened', 'accept'],
    ['reopened', 'reopen'],
  ] as [TaskStatus, TaskAction][])('refuses %s --%s-->', (from, action) => {
    const result = transition(from, action);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(new RegExp(`that is ${from}`));
  });

  it('never leaves a closed state except verified → reopened', () => {
    for (const from of CLOSED_STATUSES) {
      const exits = TASK_ACTIONS.filter((a) => transition(from, a).ok);
      expect(exits).toEqual(from === 'verified' ? ['reopen'] : []);
    }
  });

  it('keeps every status reachable from created', () => {
    const seen = new Set<TaskStatus>(['created']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const t of legalTransitions()) {
        if (seen.has(t.from) && !seen.has(t.to)) {
          seen.add(t.to);
          grew = true;
        }
      }
    }
    expect([...seen].sort()).toEqual([...TASK_STATUSES].sort());
  });

  it('property: any sequence of actions only ever visits known states, and is total (never throws)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TASK_ACTIONS), { maxLength: 40 }), (actions) => {
        let status: TaskStatus = 'created';
        for (const action of actions) {
          const r = transition(status, action);
          if (r.ok) status = r.to;
        }
        expect(TASK_STATUSES).toContain(status);
        expect(OPEN_STATUSES.includes(status) !== CLOSED_STATUSES.includes(status)).toBe(true);
      }),
    );
  });
});
