import { Kafka, logLevel, LogEntry } from 'kafkajs';

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  /** Prepended to every topic name (isolates deployments and test runs); empty for none. */
  topicPrefix: string;
  /** Name written into the `source` of every event this process publishes. */
  source: string;
  /** Partitions for topics this process creates. */
  partitions: number;
  /** Attempts at a failing message before it is dead-lettered. */
  maxAttempts: number;
  /** Whether this process creates the topics it uses (admin client) at start-up. */
  createTopics: boolean;
  /** Longest pause between attempts to reach the broker at start-up, ms (10 s when unset). */
  connectRetryMaxMs?: number;
  /** Consumer session timeout, ms (the broker's group.min.session.timeout.ms is 6 s by default). */
  sessionTimeoutMs?: number;
  /** Most messages of a partition a batch handler takes at once (500 when unset). */
  consumerBatchSize?: number;
  /** Partitions each consumer handles at the same time (4 when unset). */
  partitionsConcurrently?: number;
  /**
   * How a request to the broker is retried (kafkajs's retry options; 8 retries from 200 ms when
   * unset). A process that answers people while it publishes keeps it short.
   */
  retry?: { initialRetryTime: number; retries: number; maxRetryTime?: number };
}

export interface KafkaLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** One kafkajs client per process, its own log lines routed to the service's logger. */
export function createKafka(options: KafkaOptions, logger: KafkaLogger): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    retry: options.retry ?? { initialRetryTime: 200, retries: 8 },
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        const line = `kafkajs: ${message} ${JSON.stringify(rest)}`;
        if (level === logLevel.ERROR) logger.error(line);
        else if (level === logLevel.WARN) logger.warn(line);
        else logger.log(line);
      },
  });
}
