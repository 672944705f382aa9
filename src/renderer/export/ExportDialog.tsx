// The Export dialog: a run's trained model, or the design with its initial weights, written into
// the exports folder by export.write in one of the formats other tools open. Choosing a format
// checks every layer (the same check the CLI refuses with): the layers it cannot express are
// listed here, marked on the canvas for the design, and Export waits until none is left.
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { EXPORT_FORMATS, formatInfo, type ExportFormat } from '../../shared/export/index.ts';
import { useHost } from '../host/HostContext.tsx';
import { sameTarget, type ExportTarget } from '../store/export-slice.ts';
import { useStore } from '../store/store.ts';
import { Dialog } from '../toolbar/Dialog.tsx';
import { useRunLabels } from '../training/RunsList.tsx';
import { checkExportName, checkGraph, suggestedName, type ExportCheck } from './export-check.ts';
import { ExportHistory } from './ExportHistory.tsx';
import { ExportJobView } from './ExportJobView.tsx';
import { RefusedLayers } from './RefusedLayers.tsx';
import { useExportSource } from './useExportSource.ts';
import './export.css';

export function ExportDialog() {
  const target = useStore((s) => s.exportTarget);
  if (!target) return null;
  // A new target starts a fresh form.
  return <ExportDialogFor key={target.kind === 'run' ? target.runId : 'design'} target={target} />;
}

function ExportDialogFor({ target }: { target: ExportTarget }) {
  const host = useHost();
  const nameId = useId();
  const source = useExportSource(target);
  const job = useStore((s) => s.exportJob);
  const exportsDir = useStore((s) => s.exportsDir);
  const labels = useRunLabels();
  const { closeExport, markExport, startExport, loadExportsDir } = useStore.getState();
  const mine = job && sameTarget(job.target, target) ? job : null;
  // Opened again, it picks up where it was: the last export's format, or the marked one.
  const [format, setFormat] = useState<ExportFormat | null>(
    () => mine?.format ?? (target.kind === 'design' ? useStore.getState().exportMarks : null),
  );
  // The name typed, or null to follow the suggestion for the format (lenet-5.onnx, lenet-5-tfjs),
  // which waits for a run's name to come.
  const [typed, setTyped] = useState<string | null>(mine?.name ?? null);
  const [distribute, setDistribute] = useState(mine?.distribute ?? false);
  const modelName = source.status === 'ready' ? source.modelName : '';
  const name =
    typed ?? (format && source.status === 'ready' ? suggestedName(modelName, format) : '');

  useEffect(() => void loadExportsDir(host), [host, loadExportsDir]);

  // Export is disabled while it works, which drops the focus out of the dialog (and Escape
  // with it): the focus moves to Close when an export starts and when it ends.
  const closeButton = useRef<HTMLButtonElement>(null);
  const jobState = useRef(mine?.state);
  useEffect(() => {
    if (jobState.current !== mine?.state) closeButton.current?.focus();
    jobState.current = mine?.state;
  }, [mine?.state]);

  const check: ExportCheck | null = useMemo(
    () =>
      format && source.status === 'ready' ? checkGraph(source.graph, format, source.valid) : null,
    [format, source],
  );
  const refused = check?.kind === 'checked' ? check.refused : [];
  // The design's refused layers are marked on the canvas while the format is chosen.
  useEffect(() => {
    if (target.kind === 'design') markExport(format);
  }, [target.kind, format, markExport]);

  const choose = (next: ExportFormat): void => {
    // A name still as suggested follows the format.
    if (format && typed === suggestedName(modelName, format)) setTyped(null);
    setFormat(next);
  };

  const close = (): void => {
    // Marks stay on the canvas while they name something to change; else they go.
    if (target.kind === 'design' && refused.length === 0) markExport(null);
    closeExport();
  };

  const nameProblem = format && source.status === 'ready' ? checkExportName(name) : null;
  const busy = job?.state === 'busy';
  const blocker = whyNot({
    engine: host.engine.transport !== 'none',
    source,
    format,
    nameProblem,
    check,
    busyElsewhere: busy && !mine,
  });
  const title =
    target.kind === 'run'
      ? `Export run ${labels.get(target.runId) ?? modelName}`
      : `Export the design ${modelName ? `“${modelName}”` : ''}`;

  const submit = (): void => {
    if (blocker || busy || !format || source.status !== 'ready') return;
    void startExport(
      host,
      target,
      { format, name, distribute: format === 'keras-py' && distribute },
      target.kind === 'design' ? { graph: source.graph, config: source.config ?? {} } : undefined,
    );
  };

  return (
    <Dialog title={title} testId="export-dialog" onClose={close} wide>
      <form
        className="export-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <p className="muted">
          {target.kind === 'run'
            ? 'The trained weights of this run, in a format another tool opens.'
            : 'The network on the canvas with its initial weights (untrained: train it first for a trained model).'}
        </p>
        <fieldset className="export-formats" disabled={busy}>
          <legend>Format</legend>
          {EXPORT_FORMATS.map((id) => {
            const info = formatInfo(id);
            return (
              <label key={id} className="export-format" data-testid={`export-format-${id}`}>
                <input
                  type="radio"
                  name="export-format"
                  value={id}
                  checked={format === id}
                  onChange={() => choose(id)}
                />
                <span>
                  <strong>{info.label}</strong>
                  <span className="muted">
                    {' '}
                    {info.output === 'folder' ? 'a folder' : 'one file'}
                    {info.weights ? '' : ', no weights (rebuilds and trains)'}
                  </span>
                  <br />
                  <span className="export-opens">Opens with {info.opensWith}.</span>
                </span>
              </label>
            );
          })}
        </fieldset>
        {format && (
          <div className="field">
            <label htmlFor={nameId}>Name in the exports folder</label>
            <div className="field-inputs">
              <input
                id={nameId}
                className="wide"
                data-testid="export-name"
                spellCheck={false}
                value={name}
                disabled={busy}
                aria-invalid={nameProblem ? true : undefined}
                onChange={(e) => setTyped(e.target.value)}
              />
            </div>
            {nameProblem ? (
              <div className="field-error" data-testid="export-name-error">
                {nameProblem}
              </div>
            ) : (
              <div className="field-help" data-testid="export-destination">
                Written to {exportsDir ? `${exportsDir.replace(/[/\\]+$/, '')}/${name}` : name}{' '}
                {exportsDir ? '' : "in the server's exports folder "}
                (an export of the same name is replaced once the new one is complete).
              </div>
            )}
          </div>
        )}
        {format === 'keras-py' && (
          <label className="export-option">
            <input
              type="checkbox"
              data-testid="export-distribute"
              checked={distribute}
              disabled={busy}
              onChange={(e) => setDistribute(e.target.checked)}
            />{' '}
            Train across this machine&apos;s GPUs (tf.distribute.MirroredStrategy; the script says
            how to go to several machines)
          </label>
        )}
        {check?.kind === 'problems' && (
          <p className="field-error" role="alert" data-testid="export-problems">
            {check.message}
          </p>
        )}
        {format && refused.length > 0 && (
          <RefusedLayers
            format={format}
            refused={refused}
            onCanvas={target.kind === 'design'}
            onShow={closeExport}
          />
        )}
        {source.status === 'failed' && (
          <p className="field-error" role="alert" data-testid="export-source-error">
            {source.message}
          </p>
        )}
        {mine && <ExportJobView job={mine} />}
        <div className="dialog-actions">
          <button
            type="submit"
            className="primary"
            data-testid="export-confirm"
            disabled={Boolean(blocker) || busy}
            title={blocker ?? undefined}
          >
            {busy && mine ? 'Exporting…' : 'Export'}
          </button>
          <button type="button" data-testid="export-cancel" ref={closeButton} onClick={close}>
            Close
          </button>
          {blocker && format && !busy && (
            <span className="muted export-blocker" data-testid="export-blocker">
              {blocker}
            </span>
          )}
        </div>
        {target.kind === 'run' && <ExportHistory runId={target.runId} />}
      </form>
    </Dialog>
  );
}

/** Why Export cannot be pressed yet, or null. */
function whyNot(a: {
  engine: boolean;
  source: ReturnType<typeof useExportSource>;
  format: ExportFormat | null;
  nameProblem: string | null;
  check: ExportCheck | null;
  busyElsewhere: boolean;
}): string | null {
  if (!a.engine)
    return 'Exporting needs Netforge’s engine: use the desktop app or `netforge serve`.';
  if (a.source.status === 'loading') return 'Reading the run…';
  if (a.source.status === 'failed') return a.source.message;
  if (!a.source.hasModel)
    return 'This run has no trained model yet: wait until it finishes, or continue it.';
  if (!a.format) return 'Choose a format.';
  if (a.nameProblem) return `The name: ${a.nameProblem}.`;
  if (a.check?.kind === 'problems') return a.check.message;
  const refused = a.check?.kind === 'checked' ? a.check.refused : [];
  if (refused.length > 0) {
    const named = refused.slice(0, 4).map((r) => r.layer);
    const more = refused.length > 4 ? ` and ${refused.length - 4} more` : '';
    return `${formatInfo(a.format).label} cannot express ${named.join(', ')}${more}.`;
  }
  if (a.busyElsewhere) return 'Another export is being written: wait until it is done.';
  return null;
}
