export * from './faults';
export * from './jada';
export * from './scc';
export * from './edge';
export * from './outbox';
export * from './cloudfront-dedupe';
export * from './feeds';
