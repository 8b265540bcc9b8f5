import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command line that a command cannot run: an unknown flag, a flag without its value, a stray argument. */
export class CommandLineError extends Error {
  override readonly name = 'CommandLineError';
}

/**
 * node:util's parseArgs (strict unless told otherwise; the one flag parser of every command line), with its
 * errors turned into a CommandLineError of one short sentence naming the argument: parseArgs'
 * own messages go on with advice about dashes that does not apply to these commands.
 */
export function parseCommandLine<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    const { code, message } = err as { code?: unknown; message: string };
    const named = /'([^']+)'/.exec(message)?.[1] ?? '';
    switch (code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
        throw new CommandLineError(`unknown flag ${named}`, { cause: err });
      case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
        throw new CommandLineError(`unexpected argument "${named}"`, { cause: err });
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
        if (/does not take an argument/.test(message)) throw new CommandLineError(`${named} takes no value`, { cause: err });
        throw new CommandLineError(`${named.replace(/ <value>$/, '')} needs a value`, { cause: err });
      default:
        throw err;
    }
  }
}
