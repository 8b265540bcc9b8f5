export * from './auth.config';
export * from './auth.module';
export * from './jwt';
export * from './read-policy';
export * from './roles';
export * from './roles.guard';
export * from './ttl';
