import { describe, expect, it } from '@jest/globals';
import { DatabaseError } from 'pg';
import { QueryFailedError } from 'typeorm';
import { z } from 'zod';
import { DeadLetterCode } from '@roadloop/contracts';
import { AppError } from '@roadloop/core';
import { BROKER_REFUSED, InvalidEventError } from './event-publisher';
import { NonRetriableError, judgeFailure } from './handler-errors';

/** An error as the pg driver raises it, wrapped by TypeORM as the repositories see it. */
function postgresError(code: string, message: string, constraint?: string): QueryFailedError {
  const driverError = Object.assign(new DatabaseError(message, message.length, 'error'), { code, severity: 'ERROR', constraint });
  return new QueryFailedError('INSERT …', [], driverError);
}

const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -111, syscall: 'connect' });

describe(judgeFailure.name, () => {
  it.each([
    ['a NUL PostgreSQL cannot store (22021)', postgresError('22021', 'invalid byte sequence for encoding "UTF8": 0x00'), 'SQLSTATE_22021'],
    ['an unsupported escape in jsonb (22P05)', postgresError('22P05', 'unsupported Unicode escape sequence'), 'SQLSTATE_22P05'],
    ['a number out of range (22003)', postgresError('22003', 'numeric field overflow'), 'SQLSTATE_22003'],
    ['a unique violation (23505)', postgresError('23505', 'duplicate key value violates unique constraint', 'hazard_event_id_key'), 'SQLSTATE_23505'],
    ['a foreign key violation (23503)', postgresError('23503', 'insert or update violates foreign key constraint'), 'SQLSTATE_23503'],
    ['a check violation, unwrapped (23514)', Object.assign(new Error('new row violates check constraint'), { code: '23514', severity: 'ERROR' }), 'SQLSTATE_23514'],
    ['an invalid event about to be published', new InvalidEventError('roadloop.x.y.v1', 'payload.a: required'), 'INVALID_OUTGOING_EVENT'],
    ['a schema failure inside the handler', z.object({ a: z.string() }).safeParse({}).error!, 'INVALID_DATA'],
    ['bad percent-encoding', new URIError('URI malformed'), 'BAD_ENCODING'],
    ['bytes that are not UTF-8', Object.assign(new TypeError('The encoded data was not valid for encoding utf-8'), { code: 'ERR_ENCODING_INVALID_ENCODED_DATA' }), 'BAD_ENCODING'],
    ['a domain error of a non-retriable kind', new AppError('conflict', 'ILLEGAL_TRANSITION', 'verified → accepted'), 'ILLEGAL_TRANSITION'],
    ['a handler refusal', new NonRetriableError('segment does not exist', 'UNKNOWN_SEGMENT'), 'UNKNOWN_SEGMENT'],
  ])('dead-letters %s at once as REJECTED, the cause in the reason', (_, err, cause) => {
    const verdict = judgeFailure(err);
    expect(verdict).toEqual({ action: 'dead-letter', code: DeadLetterCode.Rejected, reason: expect.stringMatching(new RegExp(`^${cause}: `)) });
  });

  it('names the constraint a violation broke', () => {
    expect(judgeFailure(postgresError('23505', 'duplicate key', 'hazard_event_id_key')).reason).toMatch(/constraint hazard_event_id_key/);
  });

  it.each([DeadLetterCode.DuplicateEventId, DeadLetterCode.DuplicateReportId, DeadLetterCode.DuplicateExternalId])(
    'gives a refusal coded %s that dead-letter code',
    (code) => {
      expect(judgeFailure(new NonRetriableError('seen before', code))).toEqual({ action: 'dead-letter', code, reason: 'seen before' });
      expect(judgeFailure(new AppError('conflict', code, 'seen before'))).toMatchObject({ action: 'dead-letter', code });
    },
  );

  it.each([
    ['a refused connection', socketError('ECONNREFUSED')],
    ['a reset connection', socketError('ECONNRESET')],
    ['a timed-out connection', socketError('ETIMEDOUT')],
    ['a DNS failure', socketError('EAI_AGAIN')],
    ['the pool giving up', new Error('timeout exceeded when trying to connect')],
    ['a connection failure (08006)', postgresError('08006', 'connection failure')],
    ['a statement timeout (57014)', postgresError('57014', 'canceling statement due to statement timeout')],
    ['the server shutting down (57P01)', postgresError('57P01', 'terminating connection due to administrator command')],
    ['a serialization failure (40001)', postgresError('40001', 'could not serialize access')],
    ['a deadlock (40P01)', postgresError('40P01', 'deadlock detected')],
    ['too many connections (53300)', postgresError('53300', 'sorry, too many clients already')],
    ['the broker unavailable', new AppError('unavailable', 'BROKER_UNAVAILABLE', 'could not publish')],
    ['an error nobody classified', new Error('something odd')],
    ['a thrown string', 'odd'],
  ])('retries %s', (_, err) => {
    expect(judgeFailure(err)).toMatchObject({ action: 'retry', reason: expect.any(String) });
  });

  it.each([
    ['a refused connection', socketError('ECONNREFUSED')],
    ['a reset connection', socketError('ECONNRESET')],
    ['the pool giving up', new Error('timeout exceeded when trying to connect')],
    ['a connection cut by the server', new Error('Connection terminated unexpectedly')],
    ['a connection failure (08006)', postgresError('08006', 'connection failure')],
    ['the server shutting down (57P01)', postgresError('57P01', 'terminating connection due to administrator command')],
    ['the server starting (57P03)', postgresError('57P03', 'the database system is starting up')],
    ['the broker unavailable', new AppError('unavailable', 'BROKER_UNAVAILABLE', 'could not publish')],
  ])('waits for the outage to end on %s, without counting attempts', (_, err) => {
    expect(judgeFailure(err)).toMatchObject({ action: 'retry', untilAvailable: true });
  });

  it.each([
    ['a statement timeout (57014)', postgresError('57014', 'canceling statement due to statement timeout')],
    ['a serialization failure (40001)', postgresError('40001', 'could not serialize access')],
    ['too many connections (53300)', postgresError('53300', 'sorry, too many clients already')],
    ['an error nobody classified', new Error('something odd')],
    ['a refusal the broker says is final', new AppError('unavailable', BROKER_REFUSED, 'could not publish: Not authorized to access topics')],
  ])('bounds the retries of %s', (_, err) => {
    expect(judgeFailure(err)).not.toHaveProperty('untilAvailable');
  });

  it('does not take a Node error code for a SQLSTATE', () => {
    // Five upper-case letters, like a SQLSTATE, but no PostgreSQL severity: not a database error.
    expect(judgeFailure(socketError('EPIPE'))).toMatchObject({ action: 'retry' });
  });
});
