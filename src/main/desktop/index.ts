// Electron main process. Besides src/preload, this is the only file that imports electron;
// everything else under src/main must run under plain Node (see docs/architecture.md).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { app, BrowserWindow, dialog, ipcMain, shell, type IpcMainInvokeEvent } from 'electron';

import { runIdSchema, type ApiReply } from '../../shared/api.ts';
import { defaultProjectsDir, handleRequest, refusal } from '../api/handlers.ts';
import { TrainingService } from '../api/training-service.ts';

const RENDERER_INDEX = join(import.meta.dirname, '../renderer/index.html');

// electron-vite sets ELECTRON_RENDERER_URL for `npm run dev`; a packaged app ignores it.
const devServerUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];

function createWindow(): void {
  const mainWindow = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 800,
    minHeight: 600,
    title: 'Netforge',
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });

  mainWindow.once('ready-to-show', () => mainWindow.show());

  // The renderer is a single page: no pop-ups, no navigating away from it.
  // (A reload, e.g. from the dev server, keeps the same URL and is allowed.)
  mainWindow.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  mainWindow.webContents.on('will-navigate', (event, url) => {
    if (url !== mainWindow.webContents.getURL()) event.preventDefault();
  });

  if (devServerUrl) {
    void mainWindow.loadURL(devServerUrl);
  } else {
    void mainWindow.loadFile(RENDERER_INDEX);
  }
}

/** Only Netforge's own page may use the engine API, not a frame it happens to embed. */
function isOwnPage(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  return (
    url.startsWith(pathToFileURL(RENDERER_INDEX).href) ||
    (devServerUrl !== undefined && url.startsWith(devServerUrl))
  );
}

/** The IPC transport of the engine API; browser mode answers the same requests (server/). */
function handleEngineRequests(): void {
  // The engine and the feature-map process start from their bundles next to this one
  // (out/main/engine.js, out/main/feature-maps.js; see host/entries.ts).
  const training = new TrainingService();
  // Every window gets the events of the run in progress (the preload's onEvent).
  training.subscribe((push) => {
    for (const win of BrowserWindow.getAllWindows())
      if (!win.isDestroyed()) win.webContents.send('netforge:event', push);
  });
  // The engine process must not outlive the app; a run in progress keeps its last checkpoint.
  app.once('will-quit', () => void training.close());
  const ctx = { projectsDir: defaultProjectsDir(), training };
  ipcMain.handle('netforge:request', async (event, raw: unknown): Promise<ApiReply> => {
    if (!isOwnPage(event))
      return refusal(raw, 'E_FORBIDDEN', 'Only Netforge’s own page may use its engine.');
    return handleRequest(raw, ctx);
  });
  // The system's folder picker, for the Training panel's data folder.
  ipcMain.handle(
    'netforge:choose-folder',
    async (event, title: unknown): Promise<string | null> => {
      if (!isOwnPage(event)) return null;
      const win = BrowserWindow.fromWebContents(event.sender);
      const options = {
        title: typeof title === 'string' ? title.slice(0, 200) : 'Choose a folder',
        properties: ['openDirectory' as const],
      };
      const result = win
        ? await dialog.showOpenDialog(win, options)
        : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
  );
  // A run's folder in the file manager; only a run id (a folder name in the runs folder) is taken.
  ipcMain.handle(
    'netforge:open-run-folder',
    async (event, runId: unknown): Promise<string | null> => {
      if (!isOwnPage(event)) return 'Only Netforge’s own page may open folders.';
      if (!runIdSchema.safeParse(runId).success) return 'That is not a run id.';
      const failure = await shell.openPath(join(training.runsDir, runId as string));
      return failure || null;
    },
  );
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app
  .whenReady()
  .then(() => {
    handleEngineRequests();
    createWindow();
    // macOS keeps the app alive without windows; clicking the dock icon opens one again.
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  })
  .catch((error: unknown) => {
    console.error('Netforge failed to start:', error);
    app.exit(1);
  });
