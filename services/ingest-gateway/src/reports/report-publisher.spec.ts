import { describe, expect, it } from '@jest/globals';
import { hazardReportedTopic } from '@roadloop/contracts';
import { AppError } from '@roadloop/core';
import { EventPublisher, PublishOptions, WITHDRAWN } from '@roadloop/kafka';
import { ReportPublisher } from './report-publisher';

const config = { PUBLISH_TIMEOUT_MS: 200, PUBLISH_RETRY_AFTER_S: 7 };
const payload = { hazardId: '00000000-0000-4000-8000-000000000001', category: 'pothole', severity: 'low', lon: 1.5, lat: 42.5, reportedAt: new Date().toISOString() } as const;

function publisherThat(publish: () => Promise<unknown>): Pick<EventPublisher, 'publish'> {
  return { publish: publish as EventPublisher['publish'] };
}

describe(ReportPublisher.name, () => {
  it('resolves once the broker has the report', async () => {
    let calls = 0;
    const sut = new ReportPublisher(publisherThat(async () => void calls++), config);
    await sut.publish(hazardReportedTopic, payload, { correlationId: 'c' });
    expect(calls).toBe(1);
  });

  it('answers unavailable with Retry-After when the broker refuses', async () => {
    const sut = new ReportPublisher(
      publisherThat(() => Promise.reject(new AppError('unavailable', 'BROKER_UNAVAILABLE', 'could not publish: Connection error: connect ECONNREFUSED'))),
      config,
    );
    const err = await sut.publish(hazardReportedTopic, payload, { correlationId: 'c' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ kind: 'unavailable', code: 'BROKER_UNAVAILABLE', retryAfterS: 7 });
    expect((err as Error).message).toMatch(/ECONNREFUSED.*not accepted/);
  });

  it('withdraws a report still waiting after PUBLISH_TIMEOUT_MS and answers unavailable at once', async () => {
    let signal: AbortSignal | undefined;
    const waiting = (_c: unknown, _p: unknown, options: PublishOptions) =>
      new Promise((_, reject) => {
        signal = options.signal;
        options.signal!.addEventListener('abort', () => reject(new AppError('unavailable', WITHDRAWN, 'withdrawn before it was sent')));
      });
    const sut = new ReportPublisher(publisherThat(waiting as never), config);
    const started = Date.now();
    const err = await sut.publish(hazardReportedTopic, payload, { correlationId: 'c' }).catch((e: unknown) => e);
    expect(signal?.aborted).toBe(true);
    expect(err).toMatchObject({ kind: 'unavailable', code: 'BROKER_UNAVAILABLE', retryAfterS: 7 });
    expect((err as Error).message).toMatch(/did not acknowledge within 200 ms.*not accepted/);
    expect(Date.now() - started).toBeLessThan(390);
  });

  it('waits as long again for a report already in a request, and accepts it when the broker acknowledges', async () => {
    const inFlight = () => new Promise((resolve) => setTimeout(resolve, 300));
    const sut = new ReportPublisher(publisherThat(inFlight), config);
    await expect(sut.publish(hazardReportedTopic, payload, { correlationId: 'c' })).resolves.toBeUndefined();
  });

  it('answers unavailable when a report in a request is not acknowledged after twice PUBLISH_TIMEOUT_MS', async () => {
    const sut = new ReportPublisher(publisherThat(() => new Promise(() => undefined)), config);
    const started = Date.now();
    const err = await sut.publish(hazardReportedTopic, payload, { correlationId: 'c' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unavailable', code: 'BROKER_UNAVAILABLE', retryAfterS: 7 });
    expect((err as Error).message).toMatch(/did not acknowledge within 400 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });

  it('passes other failures on unchanged', async () => {
    const invalid = new AppError('invalid', 'MESSAGE_TOO_LARGE', 'too large');
    const sut = new ReportPublisher(publisherThat(() => Promise.reject(invalid)), config);
    await expect(sut.publish(hazardReportedTopic, payload, { correlationId: 'c' })).rejects.toBe(invalid);
  });
});
