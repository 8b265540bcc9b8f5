import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { TopicContract } from '@roadloop/contracts';
import { AppError } from '@roadloop/core';
import { EventPublisher, PublishOptions, WITHDRAWN } from '@roadloop/kafka';
import { GATEWAY_CONFIG, GatewayConfig } from '../config';

type PayloadOf<S extends z.ZodType> = z.infer<S> extends { payload: infer P } ? P : never;

export const BROKER_UNAVAILABLE = 'BROKER_UNAVAILABLE';

/**
 * Hands reports to the broker for the HTTP routes. A report is accepted (202) only once the broker
 * has acknowledged it. When the broker has not within PUBLISH_TIMEOUT_MS, the report is withdrawn if
 * it still waits behind the request in flight (then it is never sent, and the caller gets a 503 with
 * Retry-After at once); if it is in that request, the gateway waits as long again for the broker's
 * answer, so that a 503 means "not taken" wherever it can know.
 */
@Injectable()
export class ReportPublisher {
  constructor(
    @Inject(EventPublisher) private readonly publisher: Pick<EventPublisher, 'publish'>,
    @Inject(GATEWAY_CONFIG) private readonly config: Pick<GatewayConfig, 'PUBLISH_TIMEOUT_MS' | 'PUBLISH_RETRY_AFTER_S'>,
  ) {}

  async publish<S extends z.ZodType>(contract: TopicContract<S>, payload: PayloadOf<S>, options: PublishOptions): Promise<void> {
    const withdraw = new AbortController();
    const publishing = this.publisher.publish(contract, payload, { ...options, signal: withdraw.signal }).then(() => 'sent' as const);
    publishing.catch(() => undefined); // answered below, or abandoned after the second wait
    try {
      if ((await this.within(publishing)) === 'late') {
        withdraw.abort();
        if ((await this.within(publishing)) === 'late') {
          throw new AppError('unavailable', BROKER_UNAVAILABLE, `the broker did not acknowledge within ${2 * this.config.PUBLISH_TIMEOUT_MS} ms`);
        }
      }
    } catch (err) {
      if (!(err instanceof AppError) || err.kind !== 'unavailable') throw err;
      const reason = err.code === WITHDRAWN ? `the broker did not acknowledge within ${this.config.PUBLISH_TIMEOUT_MS} ms` : err.message;
      throw new AppError(
        'unavailable',
        BROKER_UNAVAILABLE,
        `reports cannot be taken right now (${reason}); the report was not accepted, send it again after ${this.config.PUBLISH_RETRY_AFTER_S} s`,
        [],
        this.config.PUBLISH_RETRY_AFTER_S,
      );
    }
  }

  /** The publish's outcome, or 'late' after PUBLISH_TIMEOUT_MS. */
  private async within(publishing: Promise<'sent'>): Promise<'sent' | 'late'> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([publishing, new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.config.PUBLISH_TIMEOUT_MS)))]);
    } finally {
      clearTimeout(timer);
    }
  }
}
