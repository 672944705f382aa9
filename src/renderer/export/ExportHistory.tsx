// What was exported from a run, newest first, as its folder records it (exports.jsonl): in the
// Export dialog and on the dashboard under the run's folder.
import { formatInfo, EXPORT_FORMATS, type ExportFormat } from '../../shared/export/index.ts';
import { useStore } from '../store/store.ts';

const NO_EXPORTS: readonly never[] = Object.freeze([]);

const label = (format: string): string =>
  (EXPORT_FORMATS as readonly string[]).includes(format)
    ? formatInfo(format as ExportFormat).label
    : format;

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleString(undefined, {
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
      });
}

export function ExportHistory({ runId, compact }: { runId: string; compact?: boolean }) {
  const records = useStore((s) => s.runExports[runId] ?? NO_EXPORTS);
  if (records.length === 0)
    return compact ? null : (
      <p className="muted export-history" data-testid="export-history-empty">
        Nothing exported from this run yet.
      </p>
    );
  const newest = [...records].reverse();
  const list = (
    <ul>
      {newest.map((r, i) => (
        <li key={`${r.at}-${i}`} data-testid="export-record" data-format={r.format}>
          <span className="muted">{when(r.at)}</span> {label(r.format)}{' '}
          <code title={r.files.join(', ')}>{r.path}</code>
        </li>
      ))}
    </ul>
  );
  return compact ? (
    <details className="run-files export-history" data-testid="run-exports">
      <summary>
        {records.length} {records.length === 1 ? 'export' : 'exports'}
      </summary>
      {list}
    </details>
  ) : (
    <section className="export-history" data-testid="export-history">
      <h3>Exported from this run</h3>
      {list}
    </section>
  );
}
