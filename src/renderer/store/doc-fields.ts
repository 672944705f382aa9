// Edits of the document's own fields (name, description, dataset) through the undo history,
// shared by the network inspector and the Training panel's dataset choice.
import type { DatasetName } from '../../shared/graph/types.ts';
import { useStore } from './store.ts';

export function commitDoc(change: {
  name?: string;
  description?: string;
  dataset?: DatasetName | null;
}): void {
  const { doc, commit } = useStore.getState();
  const next = { ...doc };
  if (change.name !== undefined) next.name = change.name;
  if (change.description !== undefined) next.description = change.description;
  if (change.dataset === null) delete next.dataset;
  else if (change.dataset) next.dataset = change.dataset;
  // Only the dataset changes what analysis reports.
  commit(next, { structural: change.dataset !== undefined });
}
