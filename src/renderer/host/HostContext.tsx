// The Host (host.ts) for every component under HostProvider; main.tsx provides the page's own.
import { createContext, useContext, type ReactNode } from 'react';
import type { Host } from './host.ts';

const HostContext = createContext<Host | null>(null);

export function HostProvider({ host, children }: { host: Host; children: ReactNode }) {
  return <HostContext.Provider value={host}>{children}</HostContext.Provider>;
}

/** The Host given to the nearest HostProvider. */
export function useHost(): Host {
  const host = useContext(HostContext);
  if (!host)
    throw new Error('useHost() was called outside a HostProvider: render the app inside one.');
  return host;
}
