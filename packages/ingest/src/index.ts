export { Ingester } from './ingester.js';
export type { IngesterOptions } from './ingester.js';
export { EventStore } from './store.js';
export type { Recorded, TableProgress } from './store.js';
