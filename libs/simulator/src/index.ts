export * from './crew-work';
export * from './gateway-client';
export * from './random';
export * from './scenario';
