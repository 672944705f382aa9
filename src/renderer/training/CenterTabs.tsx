// Canvas | Dashboard, at the top of the centre area.
import { useStore } from '../store/store.ts';
import { isBusy } from '../store/training-selectors.ts';
import './dashboard.css';

export function CenterTabs() {
  const view = useStore((s) => s.centre);
  const busy = useStore(isBusy);
  const showCentre = useStore((s) => s.showCentre);
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
    <div className="center-tabs" role="tablist" aria-label="View">
      {tab('canvas', 'Canvas')}
      {tab('dashboard', busy ? 'Dashboard ●' : 'Dashboard')}
    </div>
  );
}
