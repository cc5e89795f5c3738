// Entry of a function container (a worker thread): registers the TypeScript loader, then
// loads the container code. Plain .mjs because the loader is not active yet at this point.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.containerEntry);
