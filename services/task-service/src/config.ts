import { z } from 'zod';
import { databaseEnv, httpEnv, kafkaEnv, loadConfig, redisEnv, schemaName } from '@roadloop/config';

export const taskConfigSchema = z.object({
  ...kafkaEnv,
  ...databaseEnv,
  ...redisEnv,
  ...httpEnv(3002),
  DB_SCHEMA: schemaName.default('task'),
  KAFKA_GROUP_ID: z.string().min(1).default('task-service'),
});
export type TaskConfig = z.infer<typeof taskConfigSchema>;

export const loadTaskConfig = (env?: Record<string, string | undefined>) => loadConfig('task-service', taskConfigSchema, env);

export const TASK_CONFIG = Symbol('TASK_CONFIG');
