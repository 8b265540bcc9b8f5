export * from './data-source';
export * from './persistence.module';
export * from './persistence-module-for';
export * from './rate-limit';
export * from './read-budget';
export * from './redis';
export * from './transaction';
