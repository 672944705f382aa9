// Entry of the data-parallel trainer's worker threads: lets Node load the
// TypeScript worker through tsx, as bin/netforge.js does for the CLI.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
