// The right column: the inspector above, the Training panel below (its Start always in view),
// with a bar between them; a folded Training panel leaves the column to the inspector.
import { Inspector } from '../inspector/Inspector.tsx';
import { useStore } from '../store/store.ts';
import { TrainingPanel } from '../training/TrainingPanel.tsx';
import { Splitter } from './Splitter.tsx';

export function RightColumn() {
  const trainingOpen = useStore((s) => s.trainingOpen);
  const height = useStore((s) => s.panels.inspectorHeight);
  const { resizePanel, toggleTraining } = useStore.getState();
  return (
    <div className="app-right">
      <div
        className="app-right-top"
        style={trainingOpen ? { flex: `0 1 ${height}px` } : { flex: '1 1 auto' }}
      >
        <Inspector />
      </div>
      {trainingOpen && (
        <Splitter
          orientation="horizontal"
          size={height}
          grows={1}
          onResize={(h) => resizePanel('inspectorHeight', h)}
          onToggle={toggleTraining}
          label="Resize the inspector and the Training panel"
          testId="splitter-inspector"
        />
      )}
      <TrainingPanel />
    </div>
  );
}
