import { Controller, Get, Param } from '@nestjs/common';
import { ALL_TOPICS, JsonSchema, asyncApiDocument, fixtureExamples, topicJsonSchema } from '@roadloop/contracts';
import { AppError } from '@roadloop/core';

const SCHEMA_FILE = /^(roadloop\.[a-z-]+\.[a-z-]+\.v\d+)\.json$/;

/**
 * The Kafka contracts for producers outside this code base, public like /openapi.json: the AsyncAPI
 * 3.0 document of every topic and each topic's JSON Schema, generated from the zod schemas that
 * validate the messages (the same documents `libs/contracts` keeps in the repository).
 */
@Controller()
export class ContractsController {
  private readonly asyncApi = asyncApiDocument(ALL_TOPICS, { examples: fixtureExamples(ALL_TOPICS) });
  private readonly schemas = new Map(ALL_TOPICS.map((t) => [t.topic, topicJsonSchema(t)]));

  @Get('asyncapi.json')
  asyncapi(): JsonSchema {
    return this.asyncApi;
  }

  /** `GET /schemas/<topic>.json`, e.g. `/schemas/roadloop.accident.reported.v1.json`. */
  @Get('schemas/:file')
  schema(@Param('file') file: string): JsonSchema {
    const topic = SCHEMA_FILE.exec(file)?.[1];
    const schema = topic === undefined ? undefined : this.schemas.get(topic);
    if (!schema) {
      throw new AppError('not_found', 'NO_SUCH_SCHEMA', `no schema ${JSON.stringify(file.slice(0, 200))}; there is one per topic: ${[...this.schemas.keys()].map((t) => `/schemas/${t}.json`).join(', ')}`, [
        { field: 'file', message: 'not a topic with a contract' },
      ]);
    }
    return schema;
  }
}
