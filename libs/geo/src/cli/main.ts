
const USAGE = `usage:
  roadloop-geo score --osm <file.osm.pbf|.osm> --dem <file.hgt|directory> --out <file.geojson>
  roadloop-geo match --segments <file.geojson> --points <file.csv> --out <file.csv> [--tolerance-m N] [--threads 1|2]
  roadloop-geo boundaries --osm <file.osm.pbf|.osm> [--admin-level 7[,8]] --out <file.geojson>
  roadloop-geo programme --segments <scored.geojson> --budget <amount> [--year Y] [--unknown-as survey|absent] [--out <file.geojson>] [--csv <file.csv>]`;

// Each command is loaded when it is run: the scoring and programme modules (the OSM reader, the
// LP solver) cost more start-up than matching 100,000 points does.
/** Entry point of the `roadloop-geo` command; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'score':
      return (await import('./score.command.js')).runScore(rest);
    case 'match':
      return (await import('./match.command.js')).runMatch(rest);
    case 'boundaries':
      return (await import('./boundaries.command.js')).runBoundaries(rest);
    case 'programme':
      return (await import('./programme.command.js')).runProgramme(rest);
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
