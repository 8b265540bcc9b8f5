import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { TopicContract } from '@roadloop/contracts';
import { AppError } from '@roadloop/core';
import { EventPublisher, PublishOptions } from '@roadloop/kafka';
import { GATEWAY_CONFIG, GatewayConfig } from '../config';

type PayloadOf<S extends z.ZodType> = z.infer<S> extends { payload: infer P } ? P : never;

export const BROKER_UNAVAILABLE = 'BROKER_UNAVAILABLE';

/**
 * Hands reports to the broker for the HTTP routes. A report is accepted (202) only once the broker
 * has acknowledged it; when the broker cannot take it within PUBLISH_TIMEOUT_MS the caller gets a 503
 * with Retry-After at once, instead of waiting out the producer's retries.
 */
@Injectable()
export class ReportPublisher {
  constructor(
    @Inject(EventPublisher) private readonly publisher: Pick<EventPublisher, 'publish'>,
    @Inject(GATEWAY_CONFIG) private readonly config: Pick<GatewayConfig, 'PUBLISH_TIMEOUT_MS' | 'PUBLISH_RETRY_AFTER_S'>,
  ) {}

  async publish<S extends z.ZodType>(contract: TopicContract<S>, payload: PayloadOf<S>, options: PublishOptions): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new AppError('unavailable', BROKER_UNAVAILABLE, `the broker did not acknowledge within ${this.config.PUBLISH_TIMEOUT_MS} ms`)),
        this.config.PUBLISH_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([this.publisher.publish(contract, payload, options), timedOut]);
    } catch (err) {
      if (!(err instanceof AppError) || err.kind !== 'unavailable') throw err;
      throw new AppError(
        'unavailable',
        BROKER_UNAVAILABLE,
        `reports cannot be taken right now (${err.message}); the report was not accepted, send it again after ${this.config.PUBLISH_RETRY_AFTER_S} s`,
        [],
        this.config.PUBLISH_RETRY_AFTER_S,
      );
    } finally {
      clearTimeout(timer);
    }
  }
}
