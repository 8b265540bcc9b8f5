import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { ConfigError, databaseEnv, httpEnv, kafkaEnv, loadConfig } from './config';

const schema = z.object({ ...kafkaEnv, ...databaseEnv, ...httpEnv(3000) });

describe(loadConfig.name, () => {
  it('applies defaults on an empty environment', () => {
    const config = loadConfig('svc', schema, {});
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.HTTP_PORT).toBe(3000);
    expect(config.DB_MIGRATE_ON_START).toBe(true);
  });

  it('parses lists, numbers and flags', () => {
    const config = loadConfig('svc', schema, {
      KAFKA_BROKERS: 'a:1, b:2',
      HTTP_PORT: '8080',
      DB_MIGRATE_ON_START: 'false',
    });
    expect(config.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(config.HTTP_PORT).toBe(8080);
    expect(config.DB_MIGRATE_ON_START).toBe(false);
  });

  it('reports every bad variable by name at once', () => {
    const attempt = () =>
      loadConfig('svc', schema, { HTTP_PORT: '99999', KAFKA_BROKERS: 'nohostport', DATABASE_URL: 'mysql://x/y' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (err) {
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/HTTP_PORT/);
      expect(problems).toMatch(/KAFKA_BROKERS/);
      expect(problems).toMatch(/DATABASE_URL/);
      expect((err as Error).message).toMatch(/^svc: invalid configuration/);
    }
  });
});
