export * from './faults';
export * from './jada';
export * from './scc';
