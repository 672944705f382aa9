// Under the canvas: the model summary and the problems, behind a header that folds them away
// and still tells the totals and the number of problems when folded.
import { ProblemsList } from '../problems/ProblemsList.tsx';
import { useAnalysis } from '../store/analysis.ts';
import { useStore } from '../store/store.ts';
import { formatCount } from '../summary/format.ts';
import { SummaryPanel } from '../summary/SummaryPanel.tsx';
import { Splitter } from './Splitter.tsx';

export function BottomPanel() {
  const open = useStore((s) => s.panels.bottomOpen);
  const height = useStore((s) => s.panels.bottomHeight);
  const { totals, issues } = useAnalysis();
  const { setPanels, resizePanel } = useStore.getState();
  const toggle = () => setPanels({ bottomOpen: !open });
  return (
    <>
      {open && (
        <Splitter
          orientation="horizontal"
          size={height}
          grows={-1}
          onResize={(h) => resizePanel('bottomHeight', h)}
          onToggle={toggle}
          label="Resize the summary"
          testId="splitter-bottom"
        />
      )}
      <section className="app-bottom-wrap" aria-label="Summary and problems">
        <button
          type="button"
          className="panel-head"
          aria-expanded={open}
          data-testid="toggle-bottom"
          onClick={toggle}
        >
          <span aria-hidden="true">{open ? '▾' : '▸'}</span> Summary
          <span className="muted">
            {' '}
            · {formatCount(totals.total)} parameters ·{' '}
            <span className={issues.length ? 'has-problems' : undefined}>
              {issues.length} problem{issues.length === 1 ? '' : 's'}
            </span>
          </span>
        </button>
        {open && (
          <div className="app-bottom" style={{ height }}>
            <SummaryPanel />
            <ProblemsList />
          </div>
        )}
      </section>
    </>
  );
}
