export * from './consumer-metrics';
export * from './event-publisher';
export * from './handler-errors';
export * from './kafka.module';
export * from './kafka.options';
export * from './topic-admin';
export * from './topic-consumer';
export * from './kafka-module-for';
