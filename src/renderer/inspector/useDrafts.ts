import { useState } from 'react';
import { sameValue } from './param-text.ts';

interface DraftState {
  /** The committed value the drafts were last synced with. */
  seen: unknown;
  drafts: string[];
  error: string | null;
}

/**
 * Text inputs over a committed value. Typing changes only the drafts; when the
 * committed value changes from elsewhere (undo, another edit) the drafts follow,
 * unless they already spell that value, so "0." stays as typed while 0 commits.
 */
export function useDrafts(
  value: unknown,
  toDrafts: (v: unknown) => string[],
  parse: (drafts: string[]) => unknown,
) {
  const [state, setState] = useState<DraftState>(() => ({
    seen: value,
    drafts: toDrafts(value),
    error: null,
  }));
  let current = state;
  if (!sameValue(state.seen, value)) {
    const keep = state.error === null && sameValue(parse(state.drafts), value);
    current = { seen: value, drafts: keep ? state.drafts : toDrafts(value), error: null };
    setState(current);
  }
  return {
    drafts: current.drafts,
    error: current.error,
    /** Records what was typed and whether it was refused (the message) or committed (null). */
    setDrafts: (drafts: string[], error: string | null) =>
      setState((s) => ({ ...s, drafts, error })),
  };
}
