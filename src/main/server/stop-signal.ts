// How `netforge serve` (and the tests' server in a process of its own, test/helpers/serve-child.ts)
// learns it should end: the first SIGINT (Ctrl+C) or SIGTERM (a service manager, `kill`).
// Until then neither signal ends the process; after it they take their default action again, so
// a second Ctrl+C quits at once. Even then the engine, in a process group of its own, finishes
// saving the run's checkpoint by itself (it stops when its host is gone).

/** Resolves with the first SIGINT or SIGTERM this process gets. */
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
