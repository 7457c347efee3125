// Entry of a pool worker when lagsim runs from its TypeScript sources (tsx, vitest): a worker
// thread does not inherit the parent's loader hooks, so register tsx here, then load the real
// entry (worker.ts) named in workerData. The compiled dist/ build starts worker.js directly.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
