import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { userInfo, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { REPO_ROOT, freePort } from './environment';
import { waitFor } from './wait-for';

/**
 * Servers a fault test owns — a Kafka broker, a PostgreSQL cluster, a Redis — on free ports with
 * state in a temporary directory, so that it may stop, kill and restart them without touching the
 * machine's shared ones.
 */

function run(command: string, args: string[], env: Record<string, string> = {}): string {
  const result = spawnSync(command, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** A broker of its own (infra/kafka/kafka.sh with its own ports and KAFKA_HOME_DIR). */
export class OwnBroker {
  private constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly home: string,
  ) {}

  static async create(): Promise<OwnBroker> {
    const home = mkdtempSync(join(tmpdir(), 'roadloop-broker-'));
    const port = await freePort();
    const env = { KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(await freePort()), KAFKA_HOME_DIR: home, KAFKA_HEAP: '256m' };
    return new OwnBroker(port, env, home);
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  start(): void {
    run('bash', [join(REPO_ROOT, 'infra/kafka/kafka.sh'), 'start'], this.env);
  }

  stop(): void {
    run('bash', [join(REPO_ROOT, 'infra/kafka/kafka.sh'), 'stop'], this.env);
  }

  destroy(): void {
    try {
      this.stop();
    } finally {
      rmSync(this.home, { recursive: true, force: true });
    }
  }
}

/** The binaries of the newest PostgreSQL installed (PG_BINDIR to choose). */
function postgresBinDir(): string {
  if (process.env.PG_BINDIR) return process.env.PG_BINDIR;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions.length) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql; set PG_BINDIR');
  return join(root, versions[0], 'bin');
}

/**
 * A PostgreSQL cluster of its own (initdb + pg_ctl; PostGIS comes from the system-wide
 * installation). PostgreSQL refuses to run as root, so under root it runs as the `postgres` user.
 */
export class OwnPostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async create(): Promise<OwnPostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'roadloop-pg-'));
    const pg = new OwnPostgres(await freePort(), dir);
    if (userInfo().uid === 0) chownSync(dir, Number(run('id', ['-u', 'postgres']).trim()), Number(run('id', ['-g', 'postgres']).trim()));
    pg.pg('initdb', ['-D', pg.data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    return pg;
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  private pg(tool: string, args: string[]): string {
    const binary = join(postgresBinDir(), tool);
    return userInfo().uid === 0 ? run('runuser', ['-u', 'postgres', '--', binary, ...args]) : run(binary, args);
  }

  url(database = 'roadloop'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Starts the server and waits until it accepts connections; creates the database on the first start. */
  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    this.pg('pg_ctl', ['-D', this.data, '-l', join(this.dir, 'server.log'), '-o', options, '-w', 'start']);
    const admin = new Client({ connectionString: this.url('postgres') });
    await admin.connect();
    try {
      const { rowCount } = await admin.query(`SELECT 1 FROM pg_database WHERE datname = 'roadloop'`);
      if (!rowCount) await admin.query('CREATE DATABASE roadloop');
    } finally {
      await admin.end();
    }
  }

  /** Stops it (fast: open connections are cut, as in a crash of the clients' view). */
  stop(): void {
    this.pg('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', 'stop']);
  }

  destroy(): void {
    try {
      this.stop();
    } catch {
      // Already stopped.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A redis-server of its own; `stop` saves its data, so that a restart comes back with it (a Redis that kept its data). */
export class OwnRedis {
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async create(): Promise<OwnRedis> {
    return new OwnRedis(await freePort(), mkdtempSync(join(tmpdir(), 'roadloop-redis-')));
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    run('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'no', '--daemonize', 'yes', '--pidfile', join(this.dir, 'redis.pid'), '--logfile', join(this.dir, 'redis.log')]);
    await waitFor(`redis-server on ${this.port}`, () => (spawnSync('redis-cli', ['-p', String(this.port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG' ? true : undefined), { timeoutMs: 10_000 });
  }

  stop(): void {
    spawnSync('redis-cli', ['-p', String(this.port), 'shutdown', 'save'], { encoding: 'utf8' });
  }

  destroy(): void {
    this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
