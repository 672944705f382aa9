// Canvas | Dashboard, at the top of the centre area.
import { isBusy, useTraining } from './training-store.ts';
import './dashboard.css';

export function CenterTabs() {
  const view = useTraining((s) => s.view);
  const busy = useTraining((s) => isBusy(s.phase));
  const tab = (v: 'canvas' | 'dashboard', label: string) => (
    <button
      type="button"
      role="tab"
      aria-selected={view === v}
      className={view === v ? 'active' : undefined}
      data-testid={`tab-${v}`}
      onClick={() => useTraining.setState({ view: v })}
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
