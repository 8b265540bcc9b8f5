import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { TOPIC_RETENTION_SETTINGS, TopicContract, type TopicRetention } from './contract';
import { MAX_MESSAGE_BYTES } from './decode';
import { isStorableText } from './text';
import { accidentReportSchema } from './topics/accident-reported.topic';
import { DEAD_LETTER_HEADERS, DeadLetterCode, deadLetterTopic } from './topics/dead-letter.topic';

/**
 * The contracts as producers outside this code base read them: one JSON Schema per topic and one
 * AsyncAPI 3.0 document, generated from the zod schemas that validate the messages (so they cannot
 * drift: a test regenerates them and compares with the copies kept in the repository, which
 * `npm run contracts:generate` rewrites; the gateway serves them).
 */

export type JsonSchema = Record<string, unknown>;

/** The services, by the name of their folder and of their Kafka client. */
export type ServiceName = 'ingest-gateway' | 'risk-service' | 'task-service';

/** Who writes and who reads a topic. A test checks this against the services' code. */
export interface TopicUse {
  /** What one message says, in a line. */
  summary: string;
  /** The payload field whose value is the message key (the contract's key function returns it). */
  keyField: string;
  producers: ServiceName[];
  consumers: ServiceName[];
  /** Systems outside this code base that may produce onto the topic. */
  outsideProducers?: string;
  /** Why nobody produces it any more, when so. */
  retired?: string;
}

export const TOPIC_USE: Readonly<Record<string, TopicUse>> = {
  'roadloop.hazard.reported.v1': {
    summary: 'A hazard report as received, before it is matched to a road segment.',
    keyField: 'hazardId',
    producers: ['ingest-gateway'],
    consumers: ['risk-service'],
    outsideProducers: 'a patrol or reporting system may produce hazard reports straight onto the topic',
  },
  'roadloop.accident.reported.v1': {
    summary: 'A crash: time, place, deaths, serious and slight injuries, property damage only, vehicles, weather, light, the police system’s own id.',
    keyField: 'accidentId',
    producers: ['ingest-gateway'],
    consumers: ['risk-service'],
    outsideProducers: 'the police system produces crash reports straight onto the topic',
  },
  'roadloop.segment.report-matched.v1': {
    summary: 'A hazard or crash report placed on its road segment.',
    keyField: 'segmentId',
    producers: ['risk-service'],
    consumers: ['risk-service', 'task-service'],
  },
  'roadloop.segment.profile.v1': {
    summary: 'A segment’s geometry and static roadside attributes, after each import.',
    keyField: 'segmentId',
    producers: ['risk-service'],
    consumers: ['task-service'],
  },
  'roadloop.segment.risk-changed.v1': {
    summary: 'A segment’s risk level moved, scored in points.',
    keyField: 'segmentId',
    producers: [],
    consumers: [],
    retired: 'no longer produced (risk model 2 publishes roadloop.segment.risk-changed.v2); kept so that retained messages stay readable',
  },
  'roadloop.segment.risk-changed.v2': {
    summary: 'A segment’s risk moved: expected fatal and serious crashes per km-year, its level, alarm, factors and cause.',
    keyField: 'segmentId',
    producers: ['risk-service'],
    consumers: ['task-service', 'ingest-gateway'],
  },
  'roadloop.task.changed.v1': {
    summary: 'Every transition of a rectification task, versioned (the task service’s transactional outbox).',
    keyField: 'segmentId',
    producers: ['task-service'],
    consumers: ['risk-service', 'ingest-gateway'],
  },
  'roadloop.segment.jurisdiction.v1': {
    summary: 'The jurisdiction responsible for a segment, on every change.',
    keyField: 'segmentId',
    producers: ['task-service'],
    consumers: ['risk-service'],
  },
  'roadloop.roadside.inventory-changed.v1': {
    summary: 'A segment’s roadside inventory was recorded (a survey’s findings, an import): each side’s guardrail present, absent, damaged or unknown, with its source.',
    keyField: 'segmentId',
    producers: ['task-service'],
    consumers: ['risk-service'],
  },
};

/** The services whose consumers dead-letter what they cannot process (through `libs/kafka`'s consumer). */
export const DEAD_LETTER_PRODUCERS: readonly ServiceName[] = ['risk-service', 'task-service'];

const STORABLE_DESCRIPTION = `Must not contain NUL (U+0000) or an unpaired UTF-16 surrogate: PostgreSQL cannot store them.`;

/**
 * Rules of a schema that zod checks in code (a refinement) and JSON Schema can still state.
 * A refinement with no entry here (and not the storable-text check) fails the generation, so a new
 * rule cannot silently go unpublished.
 */
const REFINEMENTS = new Map<z.ZodType, JsonSchema>([
  [
    accidentReportSchema,
    {
      description: 'propertyDamageOnly is true exactly when deaths, seriousInjuries and slightInjuries are all 0.',
      if: { properties: { propertyDamageOnly: { const: true } } },
      then: { properties: { deaths: { const: 0 }, seriousInjuries: { const: 0 }, slightInjuries: { const: 0 } } },
      else: {
        anyOf: [
          { properties: { deaths: { minimum: 1 } } },
          { properties: { seriousInjuries: { minimum: 1 } } },
          { properties: { slightInjuries: { minimum: 1 } } },
        ],
      },
    },
  ],
]);

interface CheckInternals {
  _zod?: { def?: { check?: string; fn?: unknown } };
}

function customChecks(schema: z.ZodType): CheckInternals[] {
  const checks = (schema as unknown as { _zod: { def: { checks?: CheckInternals[] } } })._zod.def.checks ?? [];
  return checks.filter((c) => c._zod?.def?.check === 'custom');
}

function appendDescription(json: JsonSchema, text: string): void {
  json.description = typeof json.description === 'string' && json.description ? `${json.description} ${text}` : text;
}

/** A zod schema as JSON Schema draft-07 (the dialect AsyncAPI 3's default schema format extends). */
export function jsonSchemaOf(schema: z.ZodType, where: string): JsonSchema {
  return z.toJSONSchema(schema, {
    target: 'draft-07',
    io: 'input',
    override: ({ zodSchema, jsonSchema, path }) => {
      for (const check of customChecks(zodSchema as unknown as z.ZodType)) {
        if (check._zod?.def?.fn === isStorableText) {
          appendDescription(jsonSchema, STORABLE_DESCRIPTION);
          // NUL is machine-checkable; an unpaired surrogate depends on the validator's string model.
          jsonSchema.not = { pattern: '\\u0000' };
          continue;
        }
        const rule = REFINEMENTS.get(zodSchema as unknown as z.ZodType);
        if (!rule) throw new Error(`${where}: a refinement at ${path.join('.') || '(root)'} has no JSON Schema counterpart; add one to REFINEMENTS`);
        const { description, ...keywords } = rule;
        Object.assign(jsonSchema, keywords);
        appendDescription(jsonSchema, description as string);
      }
    },
  }) as JsonSchema;
}

/** A topic's value schema as a standalone JSON Schema document. */
export function topicJsonSchema(contract: TopicContract): JsonSchema {
  const use = TOPIC_USE[contract.topic];
  if (!use) throw new Error(`${contract.topic}: no entry in TOPIC_USE`);
  const { $schema, ...schema } = jsonSchemaOf(contract.valueSchema, contract.topic);
  return {
    $schema,
    $id: `${contract.topic}.schema.json`,
    title: contract.topic,
    description: `${use.summary} The value of a message on ${contract.topic} (UTF-8 JSON, at most ${MAX_MESSAGE_BYTES} bytes), keyed by payload.${use.keyField}. Unknown fields are refused at every level.`,
    ...schema,
  };
}

/** The schema of a topic's message key: the key function's field, from the value schema. */
export function keySchema(contract: TopicContract): JsonSchema {
  const use = TOPIC_USE[contract.topic];
  const payload = (jsonSchemaOf(contract.valueSchema, contract.topic).properties as Record<string, JsonSchema>).payload;
  const variants = (payload.oneOf ?? payload.anyOf ?? [payload]) as JsonSchema[];
  const field = (variants[0].properties as Record<string, JsonSchema>)[use.keyField];
  if (!field) throw new Error(`${contract.topic}: payload has no key field ${use.keyField}`);
  return { ...field, description: `The UTF-8 bytes of payload.${use.keyField}, exactly; a message with another key or none is dead-lettered (WRONG_KEY).` };
}

/** Headers every event carries (the publisher sets them; they repeat the envelope for logs and tracing). */
export const eventHeadersSchema: JsonSchema = {
  type: 'object',
  description: 'Kafka headers, UTF-8 text. Consumers read the envelope, not these: they carry its ids into the logs.',
  properties: {
    'x-event-id': { type: 'string', format: 'uuid', description: 'The envelope’s eventId.' },
    'x-correlation-id': { type: 'string', minLength: 1, maxLength: 200, description: 'The envelope’s correlationId.' },
  },
};

const deadLetterHeadersSchema: JsonSchema = {
  type: 'object',
  description: 'The original message’s headers, unchanged, plus these.',
  required: Object.values(DEAD_LETTER_HEADERS).filter((h) => h !== DEAD_LETTER_HEADERS.valueDropped),
  properties: {
    [DEAD_LETTER_HEADERS.errorCode]: { type: 'string', enum: Object.values(DeadLetterCode), description: 'Why it was dead-lettered.' },
    [DEAD_LETTER_HEADERS.reason]: { type: 'string', maxLength: 4000, description: 'The reason in words, naming each bad field (for REJECTED, it starts with the cause’s code).' },
    [DEAD_LETTER_HEADERS.sourceTopic]: { type: 'string', description: 'The topic the message was read from (with the deployment prefix).' },
    [DEAD_LETTER_HEADERS.sourcePartition]: { type: 'string', pattern: '^[0-9]+$' },
    [DEAD_LETTER_HEADERS.sourceOffset]: { type: 'string', pattern: '^[0-9]+$' },
    [DEAD_LETTER_HEADERS.consumerGroup]: { type: 'string', description: 'The consumer group that gave up on it.' },
    [DEAD_LETTER_HEADERS.failedAt]: { type: 'string', format: 'date-time' },
    [DEAD_LETTER_HEADERS.attempts]: {
      type: 'string',
      pattern: '^[0-9]+$',
      description: 'Handler attempts: 0 when refused before the handler (UNPARSEABLE, INVALID_SCHEMA, WRONG_KEY), 1 for a data error, KAFKA_CONSUMER_MAX_ATTEMPTS for RETRIES_EXHAUSTED; plus, for either, the attempts made while the database or broker was unavailable, which are waited out and not counted against the bound.',
    },
    [DEAD_LETTER_HEADERS.valueDropped]: {
      type: 'string',
      pattern: '^[0-9]+$',
      description: 'Only on a dead letter sent without its value (then null): the value’s size in bytes. A value as large as the broker takes no longer fits with these headers; read it at the source topic, partition and offset.',
    },
  },
};

const KAFKA_BINDING_VERSION = '0.5.0';

function messageId(topic: string): string {
  return topic.replace(/^roadloop\./, '');
}

export interface AsyncApiOptions {
  /** Valid example messages per topic, from the contract fixtures. */
  examples?: Record<string, { name: string; value: unknown }[]>;
}

/** The AsyncAPI 3.0 document of every topic, the dead-letter topic included. */
export function asyncApiDocument(topics: readonly TopicContract[], options: AsyncApiOptions = {}): JsonSchema {
  const channels: Record<string, JsonSchema> = {};
  const operations: Record<string, JsonSchema> = {};
  const messages: Record<string, JsonSchema> = {};
  const schemas: Record<string, JsonSchema> = { EventHeaders: eventHeadersSchema, DeadLetterHeaders: deadLetterHeadersSchema };

  const operation = (who: string, action: 'send' | 'receive', topic: string, summary: string, extra: JsonSchema = {}) => {
    operations[`${who}.${action}.${messageId(topic)}`] = {
      action,
      channel: { $ref: `#/channels/${messageId(topic)}` },
      summary,
      messages: [{ $ref: `#/channels/${messageId(topic)}/messages/${messageId(topic)}` }],
      ...extra,
    };
  };

  for (const contract of topics) {
    const use = TOPIC_USE[contract.topic];
    if (!use) throw new Error(`${contract.topic}: no entry in TOPIC_USE`);
    const id = messageId(contract.topic);
    const { $schema: _, $id: __, ...payload } = topicJsonSchema(contract);
    schemas[id] = payload;
    messages[id] = {
      name: id,
      title: contract.topic,
      summary: use.summary,
      contentType: 'application/json',
      headers: { $ref: '#/components/schemas/EventHeaders' },
      payload: { $ref: `#/components/schemas/${id}` },
      bindings: { kafka: { key: keySchema(contract), bindingVersion: KAFKA_BINDING_VERSION } },
      ...(options.examples?.[contract.topic]?.length
        ? {
            examples: options.examples[contract.topic].map(({ name, value }) => {
              const v = value as { eventId: string; correlationId: string };
              return { name, headers: { 'x-event-id': v.eventId, 'x-correlation-id': v.correlationId }, payload: value };
            }),
          }
        : {}),
    };
    channels[id] = {
      address: contract.topic,
      title: contract.topic,
      description: `${use.summary}${use.retired ? ` Retired: ${use.retired}.` : ''} Keyed by payload.${use.keyField}. A deployment may prefix the name (KAFKA_TOPIC_PREFIX, then a dot: \`<prefix>.${contract.topic}\`).`,
      messages: { [id]: { $ref: `#/components/messages/${id}` } },
      bindings: { kafka: { partitions: contract.defaultPartitions, ...topicConfigurationOf(contract.retention), bindingVersion: KAFKA_BINDING_VERSION } },
    };
    for (const service of use.producers) operation(service, 'send', contract.topic, `${service} publishes ${contract.topic}.`);
    if (use.outsideProducers) operation('outside-producer', 'send', contract.topic, `Outside this code base: ${use.outsideProducers}.`);
    for (const service of use.consumers) operation(service, 'receive', contract.topic, `${service} consumes ${contract.topic}.`);
  }

  const dlq = messageId(deadLetterTopic.topic);
  schemas[dlq] = { description: 'The original message value, byte for byte (it may be neither JSON nor UTF-8).' };
  messages[dlq] = {
    name: dlq,
    title: deadLetterTopic.topic,
    summary: 'A message a consumer could not process, with the reason.',
    headers: { $ref: '#/components/schemas/DeadLetterHeaders' },
    payload: { $ref: `#/components/schemas/${dlq}` },
    bindings: { kafka: { key: { description: 'The original message key, byte for byte (absent when it had none).' }, bindingVersion: KAFKA_BINDING_VERSION } },
  };
  channels[dlq] = {
    address: deadLetterTopic.topic,
    title: deadLetterTopic.topic,
    description: `What a consumer could not process: the original key and value, unchanged, with headers naming the source topic, partition and offset, the consumer group, the code and reason, and the attempts. The partition it came from moves on. A deployment may prefix the name like every topic (\`<prefix>.${deadLetterTopic.topic}\`).`,
    messages: { [dlq]: { $ref: `#/components/messages/${dlq}` } },
    bindings: { kafka: { partitions: deadLetterTopic.defaultPartitions, bindingVersion: KAFKA_BINDING_VERSION } },
  };
  for (const service of DEAD_LETTER_PRODUCERS) operation(service, 'send', deadLetterTopic.topic, `${service}'s consumers dead-letter what they cannot process.`);
  operation('outside-producer', 'receive', deadLetterTopic.topic, 'A producer reads its own dead letters (by x-dlq-source-topic, or its own x-event-id / x-correlation-id).');

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Roadloop events',
      version: contractsVersion(),
      description: [
        'The Kafka topics of Roadloop. Every value is UTF-8 JSON: an envelope (eventId, occurredAt, schemaVersion, source, correlationId) around the payload, validated by producer and consumer alike.',
        'Unknown fields are refused; no string may hold NUL (U+0000) or an unpaired UTF-16 surrogate; the key must be the one named in each message’s Kafka binding.',
        `Values over ${MAX_MESSAGE_BYTES} bytes are dead-lettered unread. What a consumer refuses goes to ${deadLetterTopic.topic} with its reason; the partition moves on.`,
        'Topic names may carry a deployment prefix (KAFKA_TOPIC_PREFIX followed by a dot).',
      ].join(' '),
      license: { name: 'MIT' },
    },
    defaultContentType: 'application/json',
    servers: {
      development: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        description: 'The single broker `npm start` runs (plaintext, no authentication); deployments set KAFKA_BROKERS.',
      },
    },
    channels,
    operations,
    components: { schemas, messages },
  };
}

/** The version of the contracts library, the AsyncAPI document's `info.version`. */
function contractsVersion(): string {
  return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** The contract fixtures' valid messages per topic, as examples. */
export function fixtureExamples(topics: readonly TopicContract[], fixturesDir = join(__dirname, '..', 'fixtures')): Record<string, { name: string; value: unknown }[]> {
  const out: Record<string, { name: string; value: unknown }[]> = {};
  for (const { topic } of topics) {
    const dir = join(fixturesDir, topic, 'valid');
    if (!existsSync(dir)) continue;
    out[topic] = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => ({ name: f.replace(/\.json$/, ''), value: JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown }));
  }
  return out;
}

/** Files of the published contracts, by path relative to `libs/contracts`, as they are kept in the repository. */
/** The Kafka binding's `topicConfiguration` of a retention kind (nothing for the broker's defaults). */
function topicConfigurationOf(retention: TopicRetention = 'broker-default'): { topicConfiguration?: Record<string, unknown> } {
  const kept = TOPIC_RETENTION_SETTINGS[retention];
  if (!kept) return {};
  return {
    topicConfiguration: {
      'cleanup.policy': [kept.cleanupPolicy],
      ...(kept.retentionMs === undefined ? {} : { 'retention.ms': kept.retentionMs }),
      ...(kept.retentionBytes === undefined ? {} : { 'retention.bytes': kept.retentionBytes }),
    },
  };
}

export function publishedContractFiles(topics: readonly TopicContract[]): Map<string, string> {
  const files = new Map<string, string>();
  const text = (json: unknown) => `${JSON.stringify(json, null, 2)}\n`;
  files.set('asyncapi.json', text(asyncApiDocument(topics, { examples: fixtureExamples(topics) })));
  for (const contract of topics) files.set(`schemas/${contract.topic}.schema.json`, text(topicJsonSchema(contract)));
  return files;
}
