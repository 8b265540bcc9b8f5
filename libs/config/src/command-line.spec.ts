import { describe, expect, it } from '@jest/globals';
import { CommandLineError, parseCommandLine } from './command-line';

const options = { csv: { type: 'string' }, all: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

function errorOf(args: string[], allowPositionals = false): CommandLineError {
  try {
    parseCommandLine({ args, options, allowPositionals });
  } catch (err) {
    return err as CommandLineError;
  }
  throw new Error('expected a CommandLineError');
}

describe(parseCommandLine.name, () => {
  it('reads flags, inline values and positionals as parseArgs does', () => {
    const { values, positionals } = parseCommandLine({ args: ['inventory', '--csv=a.csv', '--all'], options, allowPositionals: true });
    expect(values).toEqual({ csv: 'a.csv', all: true });
    expect(positionals).toEqual(['inventory']);
  });

  it.each([
    [['--cvs', 'a.csv'], 'unknown flag --cvs'],
    [['-x'], 'unknown flag -x'],
    [['--csv'], '--csv needs a value'],
    [['--csv', '--all'], '--csv needs a value'],
    [['--all=yes'], '--all takes no value'],
    [['stray'], 'unexpected argument "stray"'],
  ])('refuses %j with "%s"', (args, message) => {
    const err = errorOf(args);
    expect(err).toBeInstanceOf(CommandLineError);
    expect(err.message).toBe(message);
  });
});
