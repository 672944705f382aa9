// The one EngineClient of this window, connected on first use. Components that
// need it before it is ready render as if there were no project folder.
import { useEffect, useState } from 'react';
import { connectEngine, type EngineClient } from '../engine/client.ts';

export type Engine = EngineClient;

let engine: Promise<Engine | null> | null = null;

/** Resolves to null when no transport could be set up (the UI then offers files only). */
export function getEngine(): Promise<Engine | null> {
  engine ??= Promise.resolve()
    .then(() => connectEngine())
    .catch(() => null);
  return engine;
}

/** True when the engine can list, read and write the project folder. */
export const hasProjectFolder = (e: Engine | null): e is Engine =>
  e !== null && e.transport !== 'none';

/** The engine once connected; null until then. */
export function useEngine(): Engine | null {
  const [current, setCurrent] = useState<Engine | null>(null);
  useEffect(() => {
    let live = true;
    void getEngine().then((e) => {
      if (live) setCurrent(e);
    });
    return () => {
      live = false;
    };
  }, []);
  return current;
}
