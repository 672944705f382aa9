// The window: toolbar on top; palette | canvas (or dashboard) | inspector and Training panel; the
// summary and problems under the canvas; a status bar last. Panels are resized by the bars
// between them and folded away by their headers (sizes remembered, store/panels-slice.ts).
// Components own their state through the store; this file only arranges them.
import { ReactFlowProvider } from '@xyflow/react';
import { useEffect } from 'react';
import '@xyflow/react/dist/style.css';
import { Canvas } from './canvas/Canvas.tsx';
import { ExportDialog } from './export/ExportDialog.tsx';
import { BottomPanel } from './frame/BottomPanel.tsx';
import { CentreBar } from './frame/CentreBar.tsx';
import { RightColumn } from './frame/RightColumn.tsx';
import { Splitter } from './frame/Splitter.tsx';
import './frame/frame.css';
import { useHost } from './host/HostContext.tsx';
import { Palette } from './palette/Palette.tsx';
import { OpenDialog } from './project/OpenDialog.tsx';
import { startSession, useAutosave } from './project/persistence.ts';
import { RecoveryBanner } from './project/RecoveryBanner.tsx';
import { HelpOverlay } from './shortcuts/HelpOverlay.tsx';
import { useShortcuts } from './shortcuts/useShortcuts.ts';
import { useStore } from './store/store.ts';
import { TemplateGallery } from './templates/TemplateGallery.tsx';
import { TemplateHint } from './templates/TemplateHint.tsx';
import { StatusBar } from './toolbar/StatusBar.tsx';
import { Toolbar } from './toolbar/Toolbar.tsx';
import { Dashboard } from './training/Dashboard.tsx';

// Before the first render, so the window never shows an empty store: the starter
// project, and any autosave worth offering back.
startSession();

/** The width of a folded palette: room for its unfold button. */
const FOLDED = 28;
const SPLITTER = 5;

/** Inside the provider, so shortcuts and panels can reach the canvas's viewport. */
function Workbench() {
  const host = useHost();
  const theme = useStore((s) => s.theme);
  const view = useStore((s) => s.centre);
  const panels = useStore((s) => s.panels);
  const { resizePanel, setPanels } = useStore.getState();
  useShortcuts();
  useAutosave(host);
  // The runs list, and a run in progress to follow again after a reload.
  useEffect(() => void useStore.getState().attachToRuns(host), [host]);
  const left = panels.paletteOpen ? `${panels.paletteWidth}px ${SPLITTER}px` : `${FOLDED}px`;
  return (
    <div className="app" data-testid="app" data-theme={theme}>
      <Toolbar />
      <RecoveryBanner />
      <div
        className="app-main"
        style={{
          gridTemplateColumns: `${left} minmax(0, 1fr) ${SPLITTER}px ${panels.rightWidth}px`,
        }}
      >
        {panels.paletteOpen ? (
          <>
            <Palette onFold={() => setPanels({ paletteOpen: false })} />
            <Splitter
              orientation="vertical"
              size={panels.paletteWidth}
              grows={1}
              onResize={(w) => resizePanel('paletteWidth', w)}
              onToggle={() => setPanels({ paletteOpen: false })}
              label="Resize the layer palette"
              testId="splitter-palette"
            />
          </>
        ) : (
          <button
            type="button"
            className="folded-palette"
            data-testid="palette-unfold"
            title="Show the layer palette"
            onClick={() => setPanels({ paletteOpen: true })}
          >
            <span aria-hidden="true">›</span>
            <span className="folded-label">Layers</span>
          </button>
        )}
        <main className="app-centre">
          <CentreBar />
          <div className="app-canvas">
            <Canvas />
            <TemplateHint />
            {/* Over the canvas, which stays mounted (and keeps its viewport) underneath. */}
            {view === 'dashboard' && <Dashboard />}
          </div>
          {/* The dashboard takes the summary's height too; the canvas view brings it back. */}
          {view !== 'dashboard' && <BottomPanel />}
        </main>
        <Splitter
          orientation="vertical"
          size={panels.rightWidth}
          grows={-1}
          onResize={(w) => resizePanel('rightWidth', w)}
          label="Resize the inspector and Training panel"
          testId="splitter-right"
        />
        <RightColumn />
      </div>
      <StatusBar />
      <TemplateGallery />
      <OpenDialog />
      <HelpOverlay />
      <ExportDialog />
    </div>
  );
}

export function App() {
  return (
    <ReactFlowProvider>
      <Workbench />
    </ReactFlowProvider>
  );
}
