// The window: toolbar on top, palette | canvas | inspector, the summary and the
// problems underneath, a status bar last. Components own their state through the
// store; this file only arranges them.
import { ReactFlowProvider } from '@xyflow/react';
import { useEffect } from 'react';
import '@xyflow/react/dist/style.css';
import { Canvas } from './canvas/Canvas.tsx';
import { useHost } from './host/HostContext.tsx';
import { Inspector } from './inspector/Inspector.tsx';
import { Palette } from './palette/Palette.tsx';
import { ProblemsList } from './problems/ProblemsList.tsx';
import { OpenDialog } from './project/OpenDialog.tsx';
import { startSession, useAutosave } from './project/persistence.ts';
import { RecoveryBanner } from './project/RecoveryBanner.tsx';
import { HelpOverlay } from './shortcuts/HelpOverlay.tsx';
import { useShortcuts } from './shortcuts/useShortcuts.ts';
import { useStore } from './store/store.ts';
import { SummaryPanel } from './summary/SummaryPanel.tsx';
import { TemplateGallery } from './templates/TemplateGallery.tsx';
import { TemplateHint } from './templates/TemplateHint.tsx';
import { StatusBar } from './toolbar/StatusBar.tsx';
import { Toolbar } from './toolbar/Toolbar.tsx';
import { CenterTabs } from './training/CenterTabs.tsx';
import { Dashboard } from './training/Dashboard.tsx';
import { TrainingPanel } from './training/TrainingPanel.tsx';

// Before the first render, so the window never shows an empty store: the starter
// project, and any autosave worth offering back.
startSession();

/** Inside the provider, so shortcuts and panels can reach the canvas's viewport. */
function Workbench() {
  const host = useHost();
  const theme = useStore((s) => s.theme);
  const view = useStore((s) => s.centre);
  useShortcuts();
  useAutosave(host);
  // The runs list, and a run in progress to follow again after a reload.
  useEffect(() => void useStore.getState().attachToRuns(host), [host]);
  return (
    <div className="app" data-testid="app" data-theme={theme}>
      <Toolbar />
      <RecoveryBanner />
      <div className="app-main">
        <Palette />
        <main className="app-canvas">
          <CenterTabs />
          <Canvas />
          <TemplateHint />
          {/* Over the canvas, which stays mounted (and keeps its viewport) underneath. */}
          {view === 'dashboard' && <Dashboard />}
        </main>
        <div className="app-right">
          <Inspector />
          <TrainingPanel />
        </div>
      </div>
      {/* The dashboard takes the summary's height too; the canvas view brings it back. */}
      {view !== 'dashboard' && (
        <div className="app-bottom">
          <SummaryPanel />
          <ProblemsList />
        </div>
      )}
      <StatusBar />
      <TemplateGallery />
      <OpenDialog />
      <HelpOverlay />
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
