// What the Export dialog exports, read for it: the design being edited (its graph, and the
// settings it would train with), or a run's trained model (runs.get: its graph, whether it has
// a model yet, and the exports its folder records, which the store keeps for the dashboard).
import { useEffect, useMemo, useState } from 'react';
import type { GraphDoc } from '../../shared/graph/types.ts';
import type { TrainConfigInput } from '../../shared/train-config.ts';
import { useHost } from '../host/HostContext.tsx';
import { useAnalysis } from '../store/analysis.ts';
import type { ExportTarget } from '../store/export-slice.ts';
import { useStore } from '../store/store.ts';
import { toConfig } from '../training/config.ts';

export type ExportSource =
  | { status: 'loading' }
  | { status: 'failed'; message: string }
  | {
      status: 'ready';
      graph: GraphDoc;
      /** Whether the graph has no problems (checkExport needs a valid graph). */
      valid: boolean | undefined;
      /** Suggests the export's name. */
      modelName: string;
      /** A run without a saved model yet cannot be exported; a design always can. */
      hasModel: boolean;
      /** A design's settings, for the scripts that train (keras-py, pytorch's train.py). */
      config?: Partial<TrainConfigInput>;
    };

function useDesignSource(): ExportSource {
  const doc = useStore((s) => s.doc);
  const form = useStore((s) => s.form);
  const { valid } = useAnalysis();
  // One object per document and form, so the dialog checks the layers only when they change.
  return useMemo(() => {
    const dataset = doc.dataset ?? 'mnist';
    const settings = toConfig(form, dataset);
    return {
      status: 'ready',
      graph: doc,
      valid,
      modelName: doc.name,
      hasModel: true,
      // The form's settings when they are valid; else the defaults for the dataset.
      config: settings.ok ? settings.config : { dataset },
    };
  }, [doc, form, valid]);
}

function useRunSource(runId: string | null): ExportSource {
  const { engine } = useHost();
  const setRunExports = useStore((s) => s.setRunExports);
  const [source, setSource] = useState<ExportSource>({ status: 'loading' });
  useEffect(() => {
    if (!runId) return;
    let live = true;
    engine.call('runs.get', { runId }).then(
      (detail) => {
        setRunExports(runId, detail.exports);
        if (!live) return;
        setSource(
          detail.graph
            ? {
                status: 'ready',
                graph: detail.graph,
                valid: undefined,
                modelName: detail.entry.name,
                hasModel: detail.view.hasModel,
              }
            : {
                status: 'failed',
                message: `The run ${runId} has no graph.json: its folder is incomplete, so it cannot be exported.`,
              },
        );
      },
      (e: unknown) =>
        live &&
        setSource({ status: 'failed', message: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      live = false;
    };
  }, [engine, runId, setRunExports]);
  return source;
}

/** The dialog's source; both hooks always run, so the hooks' order never changes. */
export function useExportSource(target: ExportTarget): ExportSource {
  const design = useDesignSource();
  const run = useRunSource(target.kind === 'run' ? target.runId : null);
  return target.kind === 'design' ? design : run;
}
