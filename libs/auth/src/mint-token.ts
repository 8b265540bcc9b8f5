#!/usr/bin/env node
import { CommandLineError, ConfigError, loadConfig, parseCommandLine } from '@roadloop/config';
import { authOptionsFrom, signingConfigSchema } from './auth.config';
import { signToken } from './jwt';
import { ROLES, Role } from './roles';
import { parseTtl } from './ttl';

const USAGE = `usage: node libs/auth/dist/mint-token.js --role <${ROLES.join('|')}> --sub <user id> [--crew <crew id>] [--ttl 8h]
Signs with JWT_SECRET, JWT_ISSUER and JWT_AUDIENCE from the environment (the development defaults when unset).`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseCommandLine({
    args: argv,
    options: {
      role: { type: 'string' },
      sub: { type: 'string' },
      crew: { type: 'string' },
      ttl: { type: 'string', default: '8h' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const problems: string[] = [];
  if (!values.role || !(ROLES as readonly string[]).includes(values.role)) problems.push(`--role must be one of ${ROLES.join(', ')}`);
  if (!values.sub) problems.push('--sub is required');
  if (values.role === 'crew' && !values.crew) problems.push('--crew is required for the crew role');
  if (values.role !== 'crew' && values.crew) problems.push('--crew is only for the crew role');
  let ttlS = 0;
  try {
    ttlS = parseTtl(values.ttl ?? '8h');
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (problems.length) {
    process.stderr.write(`${problems.join('\n')}\n${USAGE}\n`);
    return 2;
  }
  const options = authOptionsFrom(loadConfig('mint-token', signingConfigSchema));
  process.stdout.write(`${await signToken({ sub: values.sub!, role: values.role as Role, crewId: values.crew, ttlS }, options)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    if (err instanceof CommandLineError) {
      process.stderr.write(`mint-token: ${err.message}\n${USAGE}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`${err instanceof ConfigError ? err.message : `mint-token: ${(err as Error).message}`}\n`);
    process.exitCode = 1;
  },
);
