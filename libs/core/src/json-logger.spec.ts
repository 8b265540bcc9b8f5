import { describe, expect, it } from '@jest/globals';
import { JsonLogger, logContext } from './json-logger';

describe(JsonLogger.name, () => {
  const capture = () => {
    const lines: { line: Record<string, unknown>; level: string }[] = [];
    const logger = new JsonLogger('risk-service', ['log', 'warn', 'error'], (line, level) => lines.push({ line: JSON.parse(line), level }));
    return { lines, logger };
  };

  it('writes one JSON object per line with the service, level, context and message', () => {
    const { lines, logger } = capture();
    logger.log('segment w1-0: low → high', 'RiskService');
    expect(lines).toEqual([
      {
        level: 'log',
        line: { time: expect.any(String), level: 'info', service: 'risk-service', context: 'RiskService', message: 'segment w1-0: low → high' },
      },
    ]);
  });

  it('adds the correlation and event ids of the event being handled', () => {
    const { lines, logger } = capture();
    logContext.run({ correlationId: 'req-42', eventId: 'e-1' }, () => logger.warn('retrying', 'KafkaConsumer'));
    expect(lines[0].line).toMatchObject({ level: 'warn', correlationId: 'req-42', eventId: 'e-1' });
  });

  it('writes the fields of a structured line beside its message', () => {
    const { lines, logger } = capture();
    logContext.run({ correlationId: 'req-7' }, () => logger.log({ message: 'GET /v1/tasks 200 3 ms', method: 'GET', status: 200 }, 'access'));
    expect(lines[0].line).toEqual({
      time: expect.any(String),
      level: 'info',
      service: 'risk-service',
      context: 'access',
      message: 'GET /v1/tasks 200 3 ms',
      method: 'GET',
      status: 200,
      correlationId: 'req-7',
    });
  });

  it('keeps the stack of errors and drops levels that are off', () => {
    const { lines, logger } = capture();
    logger.debug('noise', 'X');
    logger.error('boom', 'Error: boom\n    at f', 'HTTP');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', line: { message: 'boom', context: 'HTTP', stack: 'Error: boom\n    at f' } });
  });
});
