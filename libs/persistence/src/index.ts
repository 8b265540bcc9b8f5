export * from './data-source';
export * from './persistence.module';
export * from './redis';
export * from './transaction';
