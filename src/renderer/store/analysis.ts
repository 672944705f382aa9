// Shape inference for the current document, recomputed only when the
// structure changes (dragging a node does not re-run it).
import { analyzeGraph, type GraphAnalysis } from '../../shared/graph/analyze.ts';
import { useStore } from './store.ts';

let cache: { version: number; analysis: GraphAnalysis } | null = null;

export function currentAnalysis(): GraphAnalysis {
  const { doc, structureVersion } = useStore.getState();
  if (!cache || cache.version !== structureVersion)
    cache = { version: structureVersion, analysis: analyzeGraph(doc) };
  return cache.analysis;
}

/** The analysis of the graph being edited; components re-render when it changes. */
export function useAnalysis(): GraphAnalysis {
  useStore((s) => s.structureVersion);
  return currentAnalysis();
}
