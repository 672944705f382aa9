// The bar above the centre area, outside the canvas: Canvas | Dashboard, and in the canvas view
// how Layout arranges the graph and whether the minimap shows.
import { ExportMarksBar } from '../export/ExportMarksBar.tsx';
import { layoutCurrent } from '../layout/layout-current.ts';
import { LAYOUT_MODES, type LayoutMode } from '../store/panels-slice.ts';
import { useStore } from '../store/store.ts';
import { isBusy } from '../store/training-selectors.ts';

const MODE_LABEL: Record<LayoutMode, string> = {
  down: 'Top to bottom',
  columns: 'Columns (fills the width)',
  right: 'Left to right',
};

export function CentreBar() {
  const view = useStore((s) => s.centre);
  const busy = useStore(isBusy);
  const mode = useStore((s) => s.panels.layoutMode);
  const minimap = useStore((s) => s.panels.minimap);
  const { showCentre, setPanels } = useStore.getState();
  const tab = (v: 'canvas' | 'dashboard', label: string) => (
    <button
      type="button"
      role="tab"
      aria-selected={view === v}
      className={view === v ? 'active' : undefined}
      data-testid={`tab-${v}`}
      onClick={() => showCentre(v)}
    >
      {label}
    </button>
  );
  return (
    <div className="centre-bar">
      <div className="center-tabs" role="tablist" aria-label="View">
        {tab('canvas', 'Canvas')}
        {tab('dashboard', busy ? 'Dashboard ●' : 'Dashboard')}
      </div>
      {view === 'canvas' && <ExportMarksBar />}
      {view === 'canvas' && (
        <div className="centre-options">
          <label title="How Layout (Ctrl+L) arranges the graph; choosing one lays it out now">
            Layout{' '}
            <select
              data-testid="layout-mode"
              value={mode}
              onChange={(e) => {
                setPanels({ layoutMode: e.target.value as LayoutMode });
                void layoutCurrent();
              }}
            >
              {LAYOUT_MODES.map((m) => (
                <option key={m} value={m}>
                  {MODE_LABEL[m]}
                </option>
              ))}
            </select>
          </label>
          <label title="A small overview of the whole graph; drag in it to move the view">
            <input
              type="checkbox"
              data-testid="toggle-minimap"
              checked={minimap}
              onChange={(e) => setPanels({ minimap: e.target.checked })}
            />{' '}
            Minimap
          </label>
        </div>
      )}
    </div>
  );
}
