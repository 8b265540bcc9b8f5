import { z } from 'zod';
import { DeadLetterCode } from '@roadloop/contracts';
import { AppError, isRetriableKind } from '@roadloop/core';
import { BROKER_REFUSED, InvalidEventError } from './event-publisher';

/**
 * Thrown by a handler for a message that can never succeed (it refers to something that cannot
 * exist, breaks a business rule, …): the message is dead-lettered at once instead of retried.
 * A `code` that names a dead-letter reason (`DUPLICATE_EVENT_ID`, …) becomes the dead letter's code;
 * any other is reported as REJECTED, with the code in the reason.
 */
export class NonRetriableError extends Error {
  constructor(
    message: string,
    readonly code = 'REJECTED',
  ) {
    super(message);
    this.name = 'NonRetriableError';
  }
}

export function isNonRetriable(err: unknown): err is NonRetriableError {
  return err instanceof NonRetriableError;
}

/** What the consumer does with a message whose handler failed. */
export type FailureVerdict =
  /**
   * `untilAvailable`: the database or the broker is away (refused connections, a server shutting
   * down, BROKER_UNAVAILABLE). Every message would fail alike, so the consumer waits for it to come
   * back — without dead-lettering or committing — instead of counting the message's attempts.
   */
  | { action: 'retry'; reason: string; untilAvailable?: boolean }
  | { action: 'dead-letter'; code: DeadLetterCode; reason: string };

/**
 * The one retry-or-dead-letter policy of every consumer. Data errors — a message the handler or a
 * business rule refuses, an invalid event, a PostgreSQL data exception (SQLSTATE class 22: bad
 * encoding, NUL, out of range…) or integrity constraint violation (class 23) — can never succeed:
 * dead-lettered after this one attempt, so a poison message holds its partition for one attempt
 * only. Everything else (connection refused or reset, timeouts, serialization failures, the broker
 * or database unavailable, an error nobody classified) may pass: retried with backoff, bounded.
 */
export function judgeFailure(err: unknown): FailureVerdict {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof NonRetriableError) return deadLetter(err.code, message);
  if (err instanceof AppError) {
    if (!isRetriableKind(err.kind)) return deadLetter(err.code, message);
    // The broker away waits as long as it takes; a refusal the broker says will not change is retried a bounded number of times.
    return { action: 'retry', reason: `${err.code}: ${message}`, ...(err.kind === 'unavailable' && err.code !== BROKER_REFUSED ? { untilAvailable: true } : {}) };
  }
  if (err instanceof InvalidEventError) return deadLetter('INVALID_OUTGOING_EVENT', message);
  if (err instanceof z.ZodError) return deadLetter('INVALID_DATA', message);
  const sqlState = sqlStateOf(err);
  if (sqlState && (sqlState.startsWith('22') || sqlState.startsWith('23'))) {
    const constraint = constraintOf(err);
    return deadLetter(`SQLSTATE_${sqlState}`, constraint ? `${message} (constraint ${constraint})` : message);
  }
  if (isEncodingError(err)) return deadLetter('BAD_ENCODING', message);
  const reason = sqlState ? `SQLSTATE_${sqlState}: ${message}` : message;
  return isOutage(err, sqlState) ? { action: 'retry', reason, untilAvailable: true } : { action: 'retry', reason };
}

/** Node's codes of a connection that could not be made or was cut. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);
/** What the pg driver and its pool say when the server went away or cannot be reached. */
const CONNECTION_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed)/;

/**
 * The database (or another server) is unreachable, not the message at fault: a refused or cut
 * connection, a connection exception (SQLSTATE class 08), or the server shutting down, crashed or
 * starting (57P01–57P03). Too many connections (53300) and timeouts are not: they may pass while
 * the server serves others, so they stay bounded.
 */
function isOutage(err: unknown, sqlState: string | undefined): boolean {
  if (sqlState) return sqlState.startsWith('08') || ['57P01', '57P02', '57P03'].includes(sqlState);
  for (const candidate of [err, (err as { driverError?: unknown } | null)?.driverError]) {
    const code = (candidate as { code?: unknown } | null | undefined)?.code;
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
    const message = (candidate as { message?: unknown } | null | undefined)?.message;
    if (typeof message === 'string' && CONNECTION_MESSAGES.test(message)) return true;
  }
  return false;
}

const NAMED_CODES = new Set<string>([
  DeadLetterCode.DuplicateEventId,
  DeadLetterCode.DuplicateReportId,
  DeadLetterCode.DuplicateExternalId,
  DeadLetterCode.WrongKey,
]);

/** A code naming a dead-letter reason is the dead letter's code; any other is REJECTED, with the code in the reason. */
function deadLetter(code: string, message: string): FailureVerdict {
  if (NAMED_CODES.has(code)) return { action: 'dead-letter', code: code as DeadLetterCode, reason: message };
  return { action: 'dead-letter', code: DeadLetterCode.Rejected, reason: `${code}: ${message}` };
}

/** The SQLSTATE of a PostgreSQL error: on the driver's error, or on the ORM's wrapper of it. */
function sqlStateOf(err: unknown): string | undefined {
  for (const candidate of [err, (err as { driverError?: unknown } | null)?.driverError]) {
    const code = (candidate as { code?: unknown } | null | undefined)?.code;
    // A driver error always carries the `severity` PostgreSQL reported; Node's own codes (ECONNRESET…) never match.
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof (candidate as { severity?: unknown }).severity === 'string') return code;
  }
  return undefined;
}

function constraintOf(err: unknown): string | undefined {
  const e = err as { constraint?: unknown; driverError?: { constraint?: unknown } } | null;
  const constraint = e?.constraint ?? e?.driverError?.constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}

/** Bytes that are not text in the encoding they claim (a handler decoding a payload's field, say). */
function isEncodingError(err: unknown): boolean {
  return err instanceof URIError || (err as { code?: unknown } | null)?.code === 'ERR_ENCODING_INVALID_ENCODED_DATA';
}
