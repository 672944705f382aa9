// The export being written, or the one just written: busy while export.write works (it sends no
// progress: what it does and for how long), then where the files are, or why it failed with the
// code's advice.
import { useEffect, useState } from 'react';
import { formatInfo } from '../../shared/export/index.ts';
import { useHost } from '../host/HostContext.tsx';
import type { ExportJob } from '../store/export-slice.ts';
import { useStore } from '../store/store.ts';
import { nameInFolder } from './export-check.ts';

function useSecondsSince(start: number, running: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running]);
  return Math.max(0, Math.round((now - start) / 1000));
}

export function ExportJobView({ job }: { job: ExportJob }) {
  const info = formatInfo(job.format);
  const seconds = useSecondsSince(job.startedAt, job.state === 'busy');
  if (job.state === 'busy')
    return (
      <section className="export-job" data-testid="export-busy" aria-live="polite">
        <progress className="export-progress" aria-label="Exporting" />
        <p>
          {job.target.kind === 'run'
            ? 'Loading the trained model'
            : 'Building the network with its initial weights'}
          , checking every layer and writing {info.label} as <code>{job.name}</code>…{' '}
          <span className="muted">{seconds} s</span>
        </p>
        <p className="muted">
          Closing this dialog leaves the export running; the status bar says when it is written.
          Nothing is left half-written if it fails.
        </p>
      </section>
    );
  if (job.state === 'failed' && job.error)
    return (
      <section className="export-job" data-testid="export-failed">
        <p className="train-error" role="alert" data-testid="export-error">
          <code>{job.error.code}</code> {job.error.message}
        </p>
      </section>
    );
  return job.result ? <ExportResult job={job} /> : null;
}

function ExportResult({ job }: { job: ExportJob }) {
  const host = useHost();
  const exportsDir = useStore((s) => s.exportsDir);
  const [note, setNote] = useState<string | null>(null);
  const result = job.result!;
  const info = formatInfo(result.format);
  const shownName = host.showExport ? nameInFolder(result.path, exportsDir) : null;
  return (
    <section className="export-job export-done" data-testid="export-done">
      <p>
        <strong>Exported</strong> {info.label} with{' '}
        {result.trained ? 'the trained weights' : 'the initial weights (untrained)'}:
      </p>
      <p>
        <code data-testid="export-result-path">{result.path}</code>{' '}
        <button
          type="button"
          className="link"
          data-testid="export-copy-path"
          onClick={() =>
            void navigator.clipboard
              ?.writeText(result.path)
              .then(() => setNote('Path copied.'))
              .catch(() => setNote('The browser did not allow copying; select the path instead.'))
          }
        >
          Copy path
        </button>
        {shownName && (
          <>
            {' · '}
            <button
              type="button"
              className="link"
              data-testid="export-show"
              onClick={() => void host.showExport!(shownName).then((why) => setNote(why))}
            >
              Show in the file manager
            </button>
          </>
        )}
        {note && <span className="muted"> {note}</span>}
      </p>
      {info.output === 'folder' && (
        <ul className="export-files" data-testid="export-result-files">
          {result.files.map((f) => (
            <li key={f} data-testid="export-result-file">
              <code>{f}</code>
            </li>
          ))}
        </ul>
      )}
      <p className="muted">Opens with {info.opensWith}.</p>
    </section>
  );
}
