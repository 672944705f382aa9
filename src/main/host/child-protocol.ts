// The two messages every process Netforge starts shares with its host (child-host.ts), whatever
// else it speaks: the child says { kind: 'ready' } once it can take work, and the host asks it to
// end with { kind: 'shutdown' } before it resorts to signals. No Node imports: a child of another
// language (the planned Python engine) follows the same two messages.

export const READY = { kind: 'ready' } as const;
export const SHUTDOWN = { kind: 'shutdown' } as const;

/** Is this message the host's request to end? (Checked before a child parses its own commands.) */
export function isShutdown(message: unknown): boolean {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { kind?: unknown }).kind === SHUTDOWN.kind
  );
}
