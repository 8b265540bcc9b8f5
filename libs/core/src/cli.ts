import { readFile } from 'node:fs/promises';
import { CommandLineError, ConfigError } from '@roadloop/config';

/** Reads a GeoJSON FeatureCollection's features, with an error naming the file when it is not one. */
export async function readFeatureCollection(path: string): Promise<unknown[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: not a readable JSON file: ${(err as Error).message}`);
  }
  const collection = json as { type?: unknown; features?: unknown };
  if (collection?.type !== 'FeatureCollection' || !Array.isArray(collection.features)) {
    throw new Error(`${path}: expected a GeoJSON FeatureCollection`);
  }
  return collection.features;
}

/**
 * Runs a service's command-line entry point and exits with its code; errors become one clear line
 * (a command line it cannot run exits 2, as a usage error does).
 */
export function runCommand(name: string, main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      if (err instanceof CommandLineError) {
        process.stderr.write(`${name}: ${err.message}\nrun "${name} --help" for usage\n`);
        process.exit(2);
      }
      process.stderr.write(`${err instanceof ConfigError ? err.message : `${name}: ${(err as Error).message}`}\n`);
      process.exit(1);
    },
  );
}
