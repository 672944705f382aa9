// Above the canvas while an export format's marks are on it: how many layers it cannot express,
// a way back into the Export dialog, and Clear.
import { formatInfo } from '../../shared/export/index.ts';
import { useStore } from '../store/store.ts';
import { exportMarksOf } from './export-check.ts';
import './export.css';

export function ExportMarksBar() {
  const format = useStore((s) => s.exportMarks);
  const count = useStore((s) => exportMarksOf(s).size);
  const dialogOpen = useStore((s) => s.exportTarget !== null);
  const { markExport, openExport } = useStore.getState();
  if (!format || dialogOpen) return null;
  const label = formatInfo(format).label;
  const layers = `${count} ${count === 1 ? 'layer' : 'layers'}`;
  const text = count === 0 ? `${label} expresses every layer now` : `${layers} not in ${label}`;
  const title =
    count === 0
      ? `${label} can express every layer now.`
      : `${layers} marked: ${label} cannot express ${count === 1 ? 'it' : 'them'} (the reason is on the node and in the inspector).`;
  return (
    <div className="export-marks-bar" data-testid="export-marks-bar" role="status">
      <span className="export-marks-text" title={title}>
        {text}
      </span>
      <button type="button" className="link" onClick={() => openExport({ kind: 'design' })}>
        Export…
      </button>
      <button
        type="button"
        className="link"
        data-testid="export-marks-clear"
        onClick={() => markExport(null)}
      >
        Clear
      </button>
    </div>
  );
}
