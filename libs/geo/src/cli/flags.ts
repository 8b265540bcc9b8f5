import { GeoError } from '../geo.exception';

/**
 * Reads `--flag value` and `--flag=value` arguments of a command that knows `flags`; `'help'` for
 * -h/--help. Unknown, repeated or empty flags throw GeoError ARGUMENT_INVALID naming the flag.
 */
export function parseFlags(argv: readonly string[], flags: ReadonlySet<string>): Map<string, string> | 'help' {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return 'help';
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!flags.has(flag)) throw new GeoError('ARGUMENT_INVALID', `unknown argument "${arg}"`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new GeoError('ARGUMENT_INVALID', `${flag} needs a value`);
    if (values.has(flag)) throw new GeoError('ARGUMENT_INVALID', `${flag} given twice`);
    values.set(flag, value);
  }
  return values;
}

/**
 * Reports an engine error of a command on stderr (with the usage after a usage error) and returns
 * the exit code; any other error is rethrown.
 */
export function reportCommandError(
  command: string,
  usage: string,
  err: unknown,
  stderr: { write(text: string): unknown },
  exitCodeOf: (code: GeoError['code']) => number,
): number {
  if (!(err instanceof GeoError)) throw err;
  stderr.write(`roadloop-geo ${command}: error ${err.code}: ${err.message}\n`);
  if (err.code === 'ARGUMENT_INVALID') stderr.write(`${usage}\n`);
  return exitCodeOf(err.code);
}
