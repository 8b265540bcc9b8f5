import { Logger } from '@nestjs/common';

/**
 * Something built from the whole road network and kept in memory (the matcher, the map's feature
 * cache), rebuilt when the network's fingerprint changes — that is, when segments are (re-)imported,
 * possibly by another process. Concurrent refreshes share one load.
 */
export class NetworkSnapshot<T> {
  private value: T | null = null;
  private fingerprint = '';
  private loading: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly name: string,
    private readonly currentFingerprint: () => Promise<string>,
    private readonly build: () => Promise<{ value: T; size: number }>,
    private readonly logger = new Logger(NetworkSnapshot.name),
  ) {}

  get current(): T | null {
    return this.value;
  }

  /** Loads now, then checks the fingerprint every `intervalMs`. */
  async start(intervalMs: number): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((err) => this.logger.warn(`${this.name} refresh failed: ${(err as Error).message}`));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Rebuilds when the segments changed since the last build. */
  async refresh(): Promise<void> {
    if (this.loading) return this.loading;
    this.loading = (async () => {
      const fingerprint = await this.currentFingerprint();
      if (fingerprint === this.fingerprint) return;
      const started = Date.now();
      const { value, size } = await this.build();
      this.value = value;
      this.fingerprint = fingerprint;
      this.logger.log(`${this.name} holds ${size} segments (built in ${Date.now() - started} ms)`);
    })().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }
}
