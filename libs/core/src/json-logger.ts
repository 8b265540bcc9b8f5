import { AsyncLocalStorage } from 'node:async_hooks';
import type { LogLevel, LoggerService } from '@nestjs/common';

/** What every log line written while handling one request or one event carries. */
export interface LogContext {
  correlationId?: string;
  eventId?: string;
}

/** Set by the HTTP edge and the Kafka consumer around each request and event. */
export const logContext = new AsyncLocalStorage<LogContext>();

/**
 * One JSON object per line: time, level, service, context, message, and the correlation and event
 * ids of the request or event being handled — so one report can be followed across services.
 */
export class JsonLogger implements LoggerService {
  constructor(
    private readonly service: string,
    private readonly levels: readonly LogLevel[],
    private readonly write: (line: string, level: LogLevel) => void = (line, level) =>
      (level === 'error' || level === 'fatal' ? process.stderr : process.stdout).write(`${line}\n`),
  ) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.emit('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.emit('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.emit('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.emit('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.emit('fatal', message, rest);
  }

  private emit(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (!this.levels.includes(level)) return;
    // Nest passes (message, context) or, for errors, (message, stack, context).
    const context = rest.length && typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const stack = level === 'error' && rest.length >= 2 && typeof rest[0] === 'string' ? rest[0] : undefined;
    // A plain object is a structured line: its `message`, and its other fields beside it.
    const { message: text, ...fields } = isPlainObject(message) ? message : { message };
    const line = {
      time: new Date().toISOString(),
      level: level === 'log' ? 'info' : level,
      service: this.service,
      ...(context ? { context } : {}),
      message: text instanceof Error ? text.message : typeof text === 'string' ? text : (JSON.stringify(text) ?? ''),
      ...fields,
      ...logContext.getStore(),
      ...(stack ? { stack } : {}),
    };
    this.write(JSON.stringify(line), level);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}
