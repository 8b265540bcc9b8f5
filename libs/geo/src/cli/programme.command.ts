/**
 * `roadloop-geo programme`: scored segments (the output of `score`) → an investment programme for a
 * budget: the stretches and countermeasures the MILP solver chooses, as GeoJSON (a map layer) and
 * CSV, with the greedy benefit–cost order and the naive plan (guardrails on mandatory-protection
 * segments in id order) at the same budget for comparison.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { LonLat } from '../geometry/ruler';
import { GeoError } from '../geo.exception';
import { planProgramme, programmeSegmentOf, type ProgrammeSegment } from '../programme/plan';
import { programmeCsv, programmeGeoJson } from '../programme/programme-format';
import { parseFlags, reportCommandError } from './flags';
import { exitCodeOf } from './score.command';

const USAGE = `usage: roadloop-geo programme --segments <scored.geojson> --budget <amount> [--year 2027] [--unknown-as survey|absent] [--out <programme.geojson>] [--csv <programme.csv>]`;
const FLAGS = new Set(['--segments', '--budget', '--year', '--unknown-as', '--out', '--csv']);

export interface ProgrammeIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export async function runProgramme(argv: string[], io: ProgrammeIo = process): Promise<number> {
  try {
    const values = parseFlags(argv, FLAGS);
    if (values === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const segmentsPath = values.get('--segments');
    if (!segmentsPath) throw new GeoError('ARGUMENT_INVALID', '--segments is required');
    const budget = Number(values.get('--budget'));
    if (!(budget >= 0) || !Number.isFinite(budget)) throw new GeoError('ARGUMENT_INVALID', '--budget must be an amount ≥ 0');
    const year = Number(values.get('--year') ?? new Date().getUTCFullYear() + 1);
    if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new GeoError('ARGUMENT_INVALID', '--year must be a year between 2000 and 2100');
    const unknownAs = values.get('--unknown-as') ?? 'survey';
    if (unknownAs !== 'survey' && unknownAs !== 'absent') throw new GeoError('ARGUMENT_INVALID', '--unknown-as is survey or absent');

    const segments = await readSegments(segmentsPath);
    const p = await planProgramme(segments, { budget, year, unknownAs });
    const out = values.get('--out');
    const csv = values.get('--csv');
    if (out) await writeFile(out, `${JSON.stringify(programmeGeoJson(p))}\n`);
    if (csv) await writeFile(csv, programmeCsv(p));
    const km = (m: number) => (m / 1000).toFixed(1);
    const money = (x: number) => Math.round(x).toLocaleString('en-US');
    const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a (it prevents nothing)');
    io.stdout.write(
      [
        `programme ${year}, budget ${money(budget)} ${p.currency} (an FSI crash valued at ${money(p.costPerFsi)} ${p.currency}; unknown guardrail inventory counted as ${unknownAs})`,
        `  candidates: ${p.candidates.length} countermeasure options on ${new Set(p.candidates.map((c) => c.group)).size} stretches`,
        `  chosen (HiGHS MILP, ${p.optimum.status}): ${p.chosen.length} items, cost ${money(p.optimum.cost)}, FSI prevented over their lives ${p.optimum.fsiPrevented.toFixed(3)}`,
        `  greedy benefit–cost order: cost ${money(p.greedy.cost)}, FSI prevented ${p.greedy.fsiPrevented.toFixed(3)} (solver: ${ratio(p.optimum.fsiPrevented, p.greedy.fsiPrevented)})`,
        `  naive (guardrails on mandatory-protection segments in id order): ${p.naive.ids.length} segment sides, cost ${money(p.naive.cost)}, FSI prevented ${p.naive.fsiPrevented.toFixed(3)} (solver: ${ratio(p.optimum.fsiPrevented, p.naive.fsiPrevented)})`,
        `  to survey first (guardrail inventory unknown): ${p.toSurvey.length} stretches, ${km(p.toSurvey.reduce((s, x) => s + x.lengthM, 0))} km`,
        ...(out ? [`  map layer → ${out}`] : []),
        ...(csv ? [`  table → ${csv}`] : []),
      ].join('\n') + '\n',
    );
    return 0;
  } catch (err) {
    return reportCommandError('programme', USAGE, err, io.stderr, exitCodeOf);
  }
}

async function readSegments(path: string): Promise<ProgrammeSegment[]> {
  let fc: { features?: { geometry?: { type?: string; coordinates?: LonLat[] }; properties?: Record<string, unknown> }[] };
  try {
    fc = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new GeoError(code === 'ENOENT' ? 'INPUT_NOT_FOUND' : 'ARGUMENT_INVALID', `${path}: ${code ?? (err as Error).message}`);
  }
  return (fc.features ?? []).map((f, i) => {
    const segment = programmeSegmentOf(f);
    if (!segment) throw new GeoError('ARGUMENT_INVALID', `--segments ${path}: feature ${i} is not a scored segment (LineString with id, roadClass, lengthM)`);
    return segment;
  });
}
