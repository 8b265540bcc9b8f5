import { parseArgs } from 'node:util';
import { GeoError } from '../geo.exception';

/**
 * Reads `--flag value` and `--flag=value` arguments of a command that knows `flags` (each taking a
 * value), with node:util's parseArgs; `'help'` for -h/--help. Unknown or repeated flags, missing or
 * empty values and stray arguments throw GeoError ARGUMENT_INVALID naming the argument.
 *
 * parseArgs runs with `strict: false` and the checks are made here on its tokens, because its
 * strict mode refuses a value that starts with a dash (`--tolerance-m -1`), which should reach
 * the command's own range check and its clearer message.
 */
export function parseFlags(argv: readonly string[], flags: ReadonlySet<string>): Map<string, string> | 'help' {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const flag of flags) options[flag.replace(/^--/, '')] = { type: 'string' };
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const values = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind === 'positional') throw new GeoError('ARGUMENT_INVALID', `unknown argument "${token.value}"`);
    if (token.kind === 'option-terminator') throw new GeoError('ARGUMENT_INVALID', 'unknown argument "--"');
    if (token.name === 'help' && token.value === undefined) return 'help';
    const flag = `--${token.name}`;
    if (!flags.has(flag)) throw new GeoError('ARGUMENT_INVALID', `unknown argument "${token.inlineValue ? `${token.rawName}=${token.value}` : token.rawName}"`);
    if (token.value === undefined || token.value === '') throw new GeoError('ARGUMENT_INVALID', `${flag} needs a value`);
    if (values.has(flag)) throw new GeoError('ARGUMENT_INVALID', `${flag} is given twice`);
    values.set(flag, token.value);
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
