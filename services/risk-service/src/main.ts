import 'reflect-metadata';
import { bootstrapService } from '@roadloop/http';
import { AppModule } from './app.module';
import { RiskConfig, loadRiskConfig } from './config';

void bootstrapService({
  name: 'risk-service',
  loadConfig: () => loadRiskConfig(),
  module: (config: RiskConfig) => AppModule.forRoot(config),
});
