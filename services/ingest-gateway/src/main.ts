import 'reflect-metadata';
import { bootstrapService } from '@roadloop/http';
import { AppModule } from './app.module';
import { GatewayConfig, loadGatewayConfig } from './config';

void bootstrapService({
  name: 'ingest-gateway',
  loadConfig: () => loadGatewayConfig(),
  module: (config: GatewayConfig) => AppModule.forRoot(config),
  bodyLimit: '256kb',
});
