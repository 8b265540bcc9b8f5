import { runBoundaries } from './boundaries.command';
import { runMatch } from './match.command';
import { runProgramme } from './programme.command';
import { runScore } from './score.command';

const USAGE = `usage:
  roadloop-geo score --osm <file.osm.pbf|.osm> --dem <file.hgt|directory> --out <file.geojson>
  roadloop-geo match --segments <file.geojson> --points <file.csv> --out <file.csv> [--tolerance-m N]
  roadloop-geo boundaries --osm <file.osm.pbf|.osm> [--admin-level 7[,8]] --out <file.geojson>
  roadloop-geo programme --segments <scored.geojson> --budget <amount> [--year Y] [--unknown-as survey|absent] [--out <file.geojson>] [--csv <file.csv>]`;

/** Entry point of the `roadloop-geo` command; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'score':
      return runScore(rest);
    case 'match':
      return runMatch(rest);
    case 'boundaries':
      return runBoundaries(rest);
    case 'programme':
      return runProgramme(rest);
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`roadloop-geo: unknown command "${command}"\n${USAGE}\n`);
      return 2;
  }
}
