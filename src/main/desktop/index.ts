// Electron main process. Besides src/preload, only src/main/desktop imports electron; everything
// else under src/main must run under plain Node (see docs/architecture.md). The decisions that
// need no electron (which page is ours, which permissions, how quitting waits) are in
// security.ts, tested in plain Node.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  session,
  shell,
  type IpcMainInvokeEvent,
} from 'electron';

import { exportNameSchema, runIdSchema, type ApiReply } from '../../shared/api.ts';
import { defaultExportsDir } from '../api/exports.ts';
import { defaultProjectsDir, handleRequest, refusal } from '../api/handlers.ts';
import { TrainingService } from '../api/training-service.ts';
import { EngineHost } from '../host/engine-host.ts';
import { nodeEntry } from '../host/entries.ts';
import { devServerUrl, isOwnPage, permissionGranted, quitAfter } from './security.ts';
import { utilityChild } from './utility-child.ts';

const RENDERER_INDEX = join(import.meta.dirname, '../renderer/index.html');

// The dev server's page only for `npm run dev` (unpackaged, started with its switch).
const devServer = devServerUrl({
  isPackaged: app.isPackaged,
  argv: process.argv,
  env: process.env,
});

/** The longest a quit waits for a training run to stop with its checkpoint. */
const QUIT_WAIT_MS = 30_000;

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

  if (devServer) {
    void mainWindow.loadURL(devServer);
  } else {
    void mainWindow.loadFile(RENDERER_INDEX);
  }
}

/** Only Netforge's own page may use the engine API, not a frame it happens to embed. */
const fromOwnPage = (event: IpcMainInvokeEvent): boolean =>
  isOwnPage(event.senderFrame?.url ?? '', devServer, RENDERER_INDEX);

/** The page uses no web permission (camera, notifications, ...): every one is refused. */
function denyPermissions(): void {
  const s = session.defaultSession;
  s.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(permissionGranted(permission)),
  );
  s.setPermissionCheckHandler((_contents, permission) => permissionGranted(permission));
  s.setDevicePermissionHandler(() => false);
}

/** The IPC transport of the engine API; browser mode answers the same requests (server/). */
function handleEngineRequests(): void {
  // The engine and the feature-map process start from their bundles next to this one
  // (out/main/engine.js, out/main/feature-maps.js; see host/entries.ts), as utility processes.
  const training = new TrainingService({
    host: new EngineHost(nodeEntry('engine'), utilityChild),
    featureMaps: { launch: utilityChild },
  });
  // Every window gets the events of the run in progress (the preload's onEvent).
  training.subscribe((push) => {
    for (const win of BrowserWindow.getAllWindows())
      if (!win.isDestroyed()) win.webContents.send('netforge:event', push);
  });
  // Quitting waits (bounded) while a run in progress stops after its batch and saves a
  // checkpoint there; the engine process does not outlive the app.
  app.on(
    'will-quit',
    quitAfter(
      () => training.close(),
      () => app.quit(),
      QUIT_WAIT_MS,
    ),
  );
  const ctx = { projectsDir: defaultProjectsDir(), training };
  ipcMain.handle('netforge:request', async (event, raw: unknown): Promise<ApiReply> => {
    if (!fromOwnPage(event))
      return refusal(raw, 'E_FORBIDDEN', 'Only Netforge’s own page may use its engine.');
    return handleRequest(raw, ctx);
  });
  // The system's folder picker, for the Training panel's data folder.
  ipcMain.handle(
    'netforge:choose-folder',
    async (event, title: unknown): Promise<string | null> => {
      if (!fromOwnPage(event)) return null;
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
      if (!fromOwnPage(event)) return 'Only Netforge’s own page may open folders.';
      if (!runIdSchema.safeParse(runId).success) return 'That is not a run id.';
      const failure = await shell.openPath(join(training.runsDir, runId as string));
      return failure || null;
    },
  );
  // An export in the file manager, selected; only a name in the exports folder is taken.
  ipcMain.handle('netforge:show-export', async (event, name: unknown): Promise<string | null> => {
    if (!fromOwnPage(event)) return 'Only Netforge’s own page may open folders.';
    if (!exportNameSchema.safeParse(name).success) return 'That is not an export name.';
    const path = join(defaultExportsDir(), name as string);
    const there = await stat(path).then(
      () => true,
      () => false,
    );
    if (!there) return `${path} is not there any more: export it again.`;
    shell.showItemInFolder(path);
    return null;
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app
  .whenReady()
  .then(() => {
    denyPermissions();
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
