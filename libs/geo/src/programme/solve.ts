/**
 * Choosing a programme: the selection of candidates that prevents the most fatal-and-serious
 * crashes over their service lives within a budget, at most one countermeasure per stretch (a
 * stretch is one road, one side, one need), as a 0–1 integer programme solved by HiGHS:
 *
 *   maximise Σ fsi_i · x_i   subject to   Σ cost_i · x_i ≤ budget,   Σ_{i ∈ stretch s} x_i ≤ 1,   x_i ∈ {0, 1}
 *
 * The greedy benefit–cost order (iRAP SRIP's ranking) and a naive plan are here too, as baselines:
 * greedy is not optimal under a budget (a knapsack), which the tests show on constructed cases.
 */
import highsLoader from 'highs';

export interface Choice {
  id: string;
  /** Candidates of one group exclude each other (one stretch and side). */
  group: string;
  cost: number;
  /** What is maximised: FSI prevented over the service life. */
  fsiPrevented: number;
  /** Benefit–cost ratio (for the greedy order and the report). */
  bcr: number;
}

export interface Selection {
  ids: string[];
  cost: number;
  fsiPrevented: number;
}

export interface SolvedSelection extends Selection {
  status: string;
  /** The solver's proven bound on the objective (equal to fsiPrevented when optimal). */
  bound: number | null;
}

/** Objective coefficients are scaled to micro-FSI so that HiGHS's tolerances sit well below one crash in a million. */
const SCALE = 1e6;

/** The budget-constrained optimum by the HiGHS MILP solver (CPLEX LP format in, primal values out). */
export async function solveSelection(choices: readonly Choice[], budget: number, options: { timeLimitS?: number } = {}): Promise<SolvedSelection> {
  const usable = choices.filter((c) => c.cost <= budget && c.fsiPrevented > 0);
  if (!usable.length) return { ids: [], cost: 0, fsiPrevented: 0, status: 'Optimal', bound: 0 };
  const name = (i: number) => `x${i}`;
  const terms = (coef: (c: Choice) => number) => usable.map((c, i) => `${coef(c) >= 0 ? '+' : '-'} ${Math.abs(coef(c))} ${name(i)}`);
  const lines = (parts: string[]) => chunk(parts, 8).map((p) => `  ${p.join(' ')}`).join('\n');
  const groups = new Map<string, number[]>();
  usable.forEach((c, i) => groups.set(c.group, [...(groups.get(c.group) ?? []), i]));
  const exclusive = [...groups.values()].filter((g) => g.length > 1);
  const lp = [
    'Maximize',
    ' fsi:',
    lines(terms((c) => round(c.fsiPrevented * SCALE))),
    'Subject To',
    ' budget:',
    lines(terms((c) => c.cost)),
    `  <= ${budget}`,
    ...exclusive.map((g, k) => ` g${k}: ${g.map(name).join(' + ')} <= 1`),
    'Binary',
    lines(usable.map((_, i) => name(i))),
    'End',
  ].join('\n');
  const highs = await highsLoader();
  const result = highs.solve(lp, { mip_rel_gap: 0, time_limit: options.timeLimitS ?? 60, output_flag: false });
  if (result.Status !== 'Optimal' && result.Status !== 'Time limit reached') {
    throw new Error(`the programme solver ended with status "${result.Status}"`);
  }
  const columns = result.Columns as Record<string, { Primal?: number }>;
  const picked = usable.filter((_, i) => (columns[name(i)]?.Primal ?? 0) > 0.5);
  const selection = summarise(picked);
  return { ...selection, status: result.Status, bound: result.Status === 'Optimal' ? selection.fsiPrevented : null };
}

/** Greedy by benefit–cost ratio: take each candidate in BCR order if it fits the budget left and its group is free. */
export function greedySelection(choices: readonly Choice[], budget: number): Selection {
  const order = [...choices].filter((c) => c.fsiPrevented > 0).sort((a, b) => b.bcr - a.bcr || b.fsiPrevented - a.fsiPrevented || a.id.localeCompare(b.id));
  return takeInOrder(order, budget);
}

/** Takes candidates in the given order while the money lasts (stopping at the first that does not fit), one per group. */
export function inOrderUntilSpent(order: readonly Choice[], budget: number): Selection {
  const picked: Choice[] = [];
  const groups = new Set<string>();
  let left = budget;
  for (const c of order) {
    if (groups.has(c.group)) continue;
    if (c.cost > left) break;
    picked.push(c);
    groups.add(c.group);
    left -= c.cost;
  }
  return summarise(picked);
}

function takeInOrder(order: readonly Choice[], budget: number): Selection {
  const picked: Choice[] = [];
  const groups = new Set<string>();
  let left = budget;
  for (const c of order) {
    if (groups.has(c.group) || c.cost > left) continue;
    picked.push(c);
    groups.add(c.group);
    left -= c.cost;
  }
  return summarise(picked);
}

function summarise(picked: readonly Choice[]): Selection {
  return {
    ids: picked.map((c) => c.id),
    cost: picked.reduce((s, c) => s + c.cost, 0),
    fsiPrevented: picked.reduce((s, c) => s + c.fsiPrevented, 0),
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

function chunk<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}
