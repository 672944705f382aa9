// The Export dialog's state: what it exports (the design on the canvas, or a run's trained
// model), the format whose refused layers are marked on the canvas, and the export being written.
// The export lives here, not in the dialog, so closing the dialog while export.write works is
// safe: the request goes on, the status bar says when it is done, and the dialog opened again
// shows it. export.write sends no progress, so an export is busy until its reply.
import type { ExportRecordInfo, Result } from '../../shared/api.ts';
import { toCodedError, withFix, type ErrorCode } from '../../shared/errors.ts';
import { formatInfo, type ExportFormat } from '../../shared/export/index.ts';
import type { GraphDoc } from '../../shared/graph/types.ts';
import type { TrainConfigInput } from '../../shared/train-config.ts';
import type { Host } from '../host/host.ts';
import type { GetStore, SetStore } from './run-feed.ts';

/** What the dialog exports: the design being edited, or a run's trained model. */
export type ExportTarget = { kind: 'design' } | { kind: 'run'; runId: string };

export interface ExportRequest {
  format: ExportFormat;
  /** The file or folder name in the exports folder (checked with exportNameSchema). */
  name: string;
  distribute: boolean;
}

export interface ExportJob extends ExportRequest {
  target: ExportTarget;
  /** Date.now() when it was asked for. */
  startedAt: number;
  state: 'busy' | 'done' | 'failed';
  result: Result<'export.write'> | null;
  /** Its code, and the message with the registry's advice. */
  error: { code: ErrorCode; message: string } | null;
}

export interface ExportSlice {
  /** The dialog is open for this target; null when closed. */
  exportTarget: ExportTarget | null;
  /** The format whose refused layers the canvas marks (the design only); null: no marks. */
  exportMarks: ExportFormat | null;
  /** The export being written, or the last one written. */
  exportJob: ExportJob | null;
  /** Where exports go, as the server says (hello); null until asked. */
  exportsDir: string | null;
  /** Each run's exports as its folder records them, oldest first (RunDetail.exports). */
  runExports: Record<string, ExportRecordInfo[]>;
  openExport: (target: ExportTarget) => void;
  closeExport: () => void;
  markExport: (format: ExportFormat | null) => void;
  setRunExports: (runId: string, exports: ExportRecordInfo[]) => void;
  /** Asks the server where exports go (once; nothing happens without an engine). */
  loadExportsDir: (host: Host) => Promise<void>;
  /**
   * Writes an export of `target` (`design`: the graph and settings the design would train
   * with). Does nothing while another export is being written.
   */
  startExport: (
    host: Host,
    target: ExportTarget,
    request: ExportRequest,
    design?: { graph: GraphDoc; config: Partial<TrainConfigInput> },
  ) => Promise<void>;
}

export const sameTarget = (a: ExportTarget | null, b: ExportTarget | null): boolean =>
  a !== null &&
  b !== null &&
  a.kind === b.kind &&
  (a.kind === 'design' || a.runId === (b as { runId: string }).runId);

export const createExportSlice = (set: SetStore, get: GetStore): ExportSlice => ({
  exportTarget: null,
  exportMarks: null,
  exportJob: null,
  exportsDir: null,
  runExports: {},
  openExport: (target) =>
    set((s) => ({
      exportTarget: target,
      // A run's layers are not the canvas's nodes: only the design's are marked.
      ...(target.kind === 'run' ? { exportMarks: null } : {}),
      centre: target.kind === 'design' ? 'canvas' : s.centre,
    })),
  closeExport: () => set({ exportTarget: null }),
  markExport: (exportMarks) => set({ exportMarks }),
  setRunExports: (runId, exports) =>
    set((s) => ({ runExports: { ...s.runExports, [runId]: exports } })),

  async loadExportsDir(host) {
    if (get().exportsDir !== null || host.engine.transport === 'none') return;
    try {
      const hello = await host.engine.call('hello', {});
      if (hello.exportsDir) set({ exportsDir: hello.exportsDir });
    } catch {
      // The dialog then names the folder as the server's exports folder.
    }
  },

  async startExport(host, target, request, design) {
    if (get().exportJob?.state === 'busy') return;
    const job: ExportJob = {
      ...request,
      target,
      startedAt: Date.now(),
      state: 'busy',
      result: null,
      error: null,
    };
    set({ exportJob: job });
    const base = { format: request.format, name: request.name, distribute: request.distribute };
    const label = formatInfo(request.format).label;
    try {
      const result = await host.engine.call(
        'export.write',
        target.kind === 'run'
          ? { ...base, runId: target.runId }
          : { ...base, graph: design!.graph, config: design!.config },
      );
      set((s) => ({
        exportJob: { ...job, state: 'done', result },
        ...(target.kind === 'run'
          ? {
              runExports: {
                ...s.runExports,
                [target.runId]: [
                  ...(s.runExports[target.runId] ?? []),
                  {
                    format: result.format,
                    path: result.path,
                    files: result.files,
                    at: new Date().toISOString(),
                  },
                ],
              },
            }
          : {}),
      }));
      // Said in the status bar too: the dialog may have been closed meanwhile.
      get().notify('info', `Exported ${label} to ${result.path}`);
    } catch (e) {
      const coded = toCodedError(e, 'E_EXPORT');
      set({
        exportJob: {
          ...job,
          state: 'failed',
          error: { code: coded.code, message: withFix(coded.code, coded.message) },
        },
      });
      if (!sameTarget(get().exportTarget, target))
        get().notify('error', `The ${label} export failed: ${coded.message}`);
    }
  },
});
