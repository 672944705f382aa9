// What the runs list and a run's page show beyond the run's entry: the settings that tell runs
// of one network apart, and the files in a run's folder. Read through RunFolder and the folder
// itself; nothing here knows the run folder's file names.
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

import type { RunEntry, RunFiles } from '../../shared/api.ts';
import { RunFolder } from '../runs/run-folder.ts';

const MAX_FILES = 500;

/** Each entry with its optimizer and learning rate, when its config is readable. */
export async function withSettings(entries: RunEntry[]): Promise<RunEntry[]> {
  return Promise.all(
    entries.map(async (e) => {
      const config = await new RunFolder(e.runDir).readConfig().catch(() => null);
      return {
        ...e,
        settings: config
          ? { optimizer: config.optimizer, learningRate: config.learningRate }
          : null,
      };
    }),
  );
}

/** The files under `runDir`, sorted by path, at most MAX_FILES. */
export async function listRunFiles(runDir: string): Promise<RunFiles> {
  const files: RunFiles['files'] = [];
  let truncated = false;
  const visit = async (dir: string): Promise<void> => {
    const names = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    for (const d of names) {
      if (files.length >= MAX_FILES) {
        truncated = true;
        return;
      }
      const path = join(dir, d.name);
      if (d.isDirectory()) await visit(path);
      else if (d.isFile())
        files.push({
          path: relative(runDir, path).split(sep).join('/'),
          bytes: (await stat(path)).size,
        });
    }
  };
  await visit(runDir);
  return { runDir, files, truncated };
}
