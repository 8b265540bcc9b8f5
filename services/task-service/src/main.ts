import 'reflect-metadata';
import { bootstrapService } from '@roadloop/http';
import { AppModule } from './app.module';
import { TaskConfig, loadTaskConfig } from './config';

void bootstrapService({
  name: 'task-service',
  loadConfig: () => loadTaskConfig(),
  module: (config: TaskConfig) => AppModule.forRoot(config),
  // Township polygons are bigger than reports; the CLI is the way for very large ones.
  bodyLimit: '2mb',
});
