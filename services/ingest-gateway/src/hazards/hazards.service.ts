import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hazardReportedTopic } from '@roadloop/contracts';
import { parseOrThrow } from '@roadloop/http';
import { EventPublisher } from '@roadloop/kafka';
import { hazardInputSchema } from './hazard-input.schema';

export interface Accepted {
  eventId: string;
  hazardId: string;
  correlationId: string;
}

@Injectable()
export class HazardsService {
  constructor(private readonly publisher: EventPublisher) {}

  /** Validates a report and publishes it; resolves once the broker has it (acks from all replicas). */
  async report(body: unknown, correlationId?: string): Promise<Accepted> {
    const input = parseOrThrow(hazardInputSchema, body);
    const hazardId = randomUUID();
    const eventId = randomUUID();
    const correlation = correlationId ?? eventId;
    await this.publisher.publish(
      hazardReportedTopic,
      { ...input, hazardId, reportedAt: input.reportedAt ?? new Date().toISOString() },
      { eventId, correlationId: correlation },
    );
    return { eventId, hazardId, correlationId: correlation };
  }
}
