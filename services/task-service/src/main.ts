import 'reflect-metadata';
import { bootstrapService } from '@roadloop/http';
import { AppModule } from './app.module';
import { TaskConfig, loadTaskConfig } from './config';

void bootstrapService({
  name: 'task-service',
  loadConfig: () => loadTaskConfig(),
  module: (config: TaskConfig) => AppModule.forRoot(config),
});
