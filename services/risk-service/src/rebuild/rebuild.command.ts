import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parseCommandLine } from '@roadloop/config';
import { schemaName } from '@roadloop/config';
import { topicName } from '@roadloop/contracts';
import { EventPublisher, createKafka } from '@roadloop/kafka';
import { RISK_REPOSITORIES, persistenceFor } from '../app.module';
import { ReachCache } from '../segments/reach.cache';
import { RISK_CONFIG, RiskConfig, loadRiskCliConfig } from '../config';
import { SegmentImportService } from '../import/segment-import.service';
import { ReportIntakeService } from '../intake/report-intake.service';
import { SegmentJurisdictionService } from '../jurisdictions/segment-jurisdiction.service';
import { rebuildKeyPrefix } from '../keys';
import { RISK_MODEL, RISK_MODEL_VARIANTS, selectRiskModel } from '../risk/risk-model';
import { RiskService } from '../risk/risk.service';
import { SegmentMatcherHolder } from '../segments/segment-matcher.holder';
import { comparisonText, compareRankings } from './ranking-comparison';
import { RebuildRepository } from './rebuild.repository';
import { REPLAYED_TOPICS, RebuildService } from './rebuild.service';
import { ReplayPublisher } from './replay-publisher';
import { readTopicHistory } from './topic-history';

export const REBUILD_COMMANDS = ['rebuild', 'compare'];

export const REBUILD_USAGE = `  risk-service rebuild --schema <name> [--model <version>] [--replace]
                                                         build a fresh schema from the log: the segments of DB_SCHEMA, then the
                                                         report, task, roadside and jurisdiction topics replayed from their first
                                                         offset to their ends at the start, with the ranking under its own Redis
                                                         prefix; publishes nothing. --model: ${[RISK_MODEL.version, ...Object.keys(RISK_MODEL_VARIANTS)].join(', ')}
  risk-service compare --schema <name> [--against <name>] [--top N] [--format text|json]
                                                         compare the ranking of one schema with another's (default DB_SCHEMA):
                                                         top N, segments that moved level, Spearman rank correlation`;

/** `risk-service rebuild …` and `risk-service compare …`; returns the exit code. */
export async function rebuildCommand(argv: string[], usage: string): Promise<number> {
  const usageError = (message: string) => {
    process.stderr.write(`${message}\n${usage}\n`);
    return 2;
  };
  let values;
  try {
    ({ values } = parseCommandLine({
      args: argv.slice(1),
      options: {
        schema: { type: 'string' },
        model: { type: 'string', default: RISK_MODEL.version },
        replace: { type: 'boolean', default: false },
        against: { type: 'string' },
        top: { type: 'string', default: '20' },
        format: { type: 'string', default: 'text' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return usageError((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const config = loadRiskCliConfig();
  const schema = schemaName.safeParse(values.schema);
  if (!schema.success) return usageError('--schema must be a lower-case SQL identifier (the schema to build or compare)');
  if (argv[0] === 'compare') {
    const against = schemaName.safeParse(values.against ?? config.DB_SCHEMA);
    if (!against.success) return usageError('--against must be a lower-case SQL identifier');
    const top = Number(values.top);
    if (!Number.isInteger(top) || top < 1 || top > 1000) return usageError('--top must be an integer from 1 to 1000');
    if (values.format !== 'text' && values.format !== 'json') return usageError('--format must be text or json');
    return compare(config, { base: against.data, other: schema.data }, top, values.format);
  }
  if (schema.data === config.DB_SCHEMA) return usageError(`--schema must not be the live schema ${config.DB_SCHEMA}`);
  try {
    // Before anything is scored: every formula of this process reads the model chosen here.
    selectRiskModel(values.model!);
  } catch (err) {
    return usageError(`--model: ${(err as Error).message}`);
  }
  return rebuild(config, schema.data, values.replace!);
}

/** A context on the live schema, migrating nothing: reads across schemas, and drops a scratch schema. */
async function liveContext(config: RiskConfig) {
  @Module({ imports: [persistenceFor({ ...config, DB_MIGRATE_ON_START: false })], providers: [RebuildRepository] })
  class LiveModule {}
  return NestFactory.createApplicationContext(LiveModule, { logger: ['warn', 'error'] });
}

async function rebuild(config: RiskConfig, schema: string, replace: boolean): Promise<number> {
  const started = Date.now();
  const live = await liveContext(config);
  try {
    const repository = live.get(RebuildRepository);
    if (!(await repository.schemaExists(config.DB_SCHEMA))) {
      process.stderr.write(`the live schema ${config.DB_SCHEMA} does not exist: its segments are where a rebuild starts\n`);
      return 2;
    }
    if (await repository.schemaExists(schema)) {
      if (!replace) {
        process.stderr.write(`schema ${schema} exists; choose a fresh name, or --replace to drop it first\n`);
        return 2;
      }
      if (!(await repository.holdsOnlyRiskTables(schema))) {
        process.stderr.write(`schema ${schema} holds other tables than a risk schema's (another service's?); --replace drops only a rebuild's schema\n`);
        return 2;
      }
      await repository.dropSchema(schema);
    }
  } finally {
    await live.close();
  }

  const target: RiskConfig = { ...config, DB_SCHEMA: schema, DB_MIGRATE_ON_START: true, REDIS_KEY_PREFIX: rebuildKeyPrefix(config.REDIS_KEY_PREFIX, schema) };
  @Module({
    imports: [persistenceFor(target)],
    providers: [
      { provide: RISK_CONFIG, useValue: target },
      ...RISK_REPOSITORIES,
      RebuildRepository,
      SegmentImportService,
      SegmentMatcherHolder,
      ReportIntakeService,
      ReachCache,
      RiskService,
      SegmentJurisdictionService,
      ReplayPublisher,
      // The services publish through this seam: in a rebuild, to the replay, never to the broker.
      { provide: EventPublisher, useExisting: ReplayPublisher },
      RebuildService,
    ],
  })
  class RebuildModule {}
  const app = await NestFactory.createApplicationContext(RebuildModule, { logger: ['warn', 'error'] });
  try {
    const service = app.get(RebuildService);
    const segments = await service.importSegments(config.DB_SCHEMA);
    const kafka = createKafka(
      { brokers: config.KAFKA_BROKERS, clientId: 'risk-service-rebuild', topicPrefix: config.KAFKA_TOPIC_PREFIX, source: 'risk-service', partitions: 1, maxAttempts: 1, createTopics: false },
      new Logger('kafkajs'),
    );
    const topics = REPLAYED_TOPICS.map((c) => topicName(c, config.KAFKA_TOPIC_PREFIX));
    const read = Date.now();
    const history = await readTopicHistory(kafka, topics, { groupPrefix: topicName({ topic: `${config.KAFKA_GROUP_ID}.rebuild` }, config.KAFKA_TOPIC_PREFIX) });
    const readS = (Date.now() - read) / 1000;
    const report = await service.replay(history, config.KAFKA_TOPIC_PREFIX);
    const messages = Object.values(report.applied).reduce((a, n) => a + n, 0) + report.refused.length;
    for (const e of report.ends.filter((end) => BigInt(end.low) > 0n)) {
      process.stderr.write(`warning: ${e.topic}[${e.partition}] starts at offset ${e.low}: the messages before it were deleted (kept for a limited time then), and the rebuild lacks them\n`);
    }
    for (const r of report.refused.slice(0, 20)) process.stderr.write(`refused ${r.topic}[${r.partition}]@${r.offset}: ${r.reason}\n`);
    if (report.refused.length > 20) process.stderr.write(`… and ${report.refused.length - 20} more refused\n`);
    process.stdout.write(
      `rebuilt schema ${schema} from schema ${config.DB_SCHEMA}'s ${segments} segments and ${messages} messages ` +
        `(${Object.entries(report.applied).map(([t, n]) => `${t} ${n}`).join(', ')}; ${report.refused.length} refused as the live consumers refuse them) ` +
        `logged ${report.from ?? '-'} … ${report.to ?? '-'}, with risk model ${RISK_MODEL.version}, in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
        `(reading the log ${readS.toFixed(1)} s); ${report.matched} reports matched in process, ${report.announcementsWithheld} level changes not announced; ` +
        `ranking of ${report.ranked} segments under Redis prefix ${target.REDIS_KEY_PREFIX}\n`,
    );
    return 0;
  } finally {
    await app.close();
  }
}

async function compare(config: RiskConfig, schemas: { base: string; other: string }, top: number, format: 'text' | 'json'): Promise<number> {
  const live = await liveContext(config);
  try {
    const repository = live.get(RebuildRepository);
    for (const s of [schemas.base, schemas.other]) {
      if (!(await repository.schemaExists(s))) {
        process.stderr.write(`schema ${s} does not exist\n`);
        return 2;
      }
    }
    const [base, other] = [await repository.risks(schemas.base), await repository.risks(schemas.other)];
    const models = (rows: { modelVersion: string | null }[]) => [...new Set(rows.map((r) => r.modelVersion ?? 'unknown'))].sort();
    const comparison = compareRankings(base, other, top);
    if (format === 'json') {
      process.stdout.write(`${JSON.stringify({ base: { schema: schemas.base, models: models(base) }, other: { schema: schemas.other, models: models(other) }, ...comparison }, null, 2)}\n`);
    } else {
      process.stdout.write(`${schemas.base} (risk model ${models(base).join(', ')}) → ${schemas.other} (risk model ${models(other).join(', ')})\n`);
      process.stdout.write(comparisonText(comparison, schemas));
    }
    return 0;
  } finally {
    await live.close();
  }
}
