import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { accidentReportedTopic } from '@roadloop/contracts';
import { parseOrThrow } from '@roadloop/http';
import { EventPublisher } from '@roadloop/kafka';
import { accidentInputSchema } from './accident-input.schema';

@Injectable()
export class AccidentsService {
  constructor(private readonly publisher: EventPublisher) {}

  async report(body: unknown, correlationId?: string) {
    const input = parseOrThrow(accidentInputSchema, body);
    const accidentId = randomUUID();
    const eventId = randomUUID();
    const correlation = correlationId ?? eventId;
    await this.publisher.publish(accidentReportedTopic, { ...input, accidentId }, { eventId, correlationId: correlation });
    return { eventId, accidentId, correlationId: correlation };
  }
}
