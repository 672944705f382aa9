// export.write for the app: a run's trained model, or a design, exported into the exports folder
// by `netforge export` in a process of its own (tfjs work must not stall the server's event loop,
// and the CLI is the one place that runs an export). Only a file name comes from the client: an
// export never lands outside the exports folder.
import { fork } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Params, Result } from '../../shared/api.ts';
import { CodedError, isErrorCode } from '../../shared/errors.ts';
import { nodeEntry } from '../host/entries.ts';
import type { TrainingService } from './training-service.ts';

/** Where exports go: $NETFORGE_EXPORTS_DIR or ~/Netforge/exports. */
export function defaultExportsDir(): string {
  return process.env['NETFORGE_EXPORTS_DIR'] || join(homedir(), 'Netforge', 'exports');
}

/** An export that takes longer than this is ended (a large network's weights take seconds). */
const TIMEOUT_MS = 10 * 60_000;

export async function writeExport(
  p: Params<'export.write'>,
  training: TrainingService | undefined,
  exportsDir = defaultExportsDir(),
): Promise<Result<'export.write'>> {
  if ((p.runId === undefined) === (p.graph === undefined))
    throw new CodedError(
      'E_BAD_REQUEST',
      'export.write takes either a run (runId) or a design (graph), not both or neither.',
    );
  let source: string;
  let temp: string | null = null;
  if (p.runId !== undefined) {
    if (!training)
      throw new CodedError('E_NO_TRAINING', 'Runs are not available from this server.');
    source = await training.runDirOf(p.runId);
  } else {
    temp = await mkdtemp(join(tmpdir(), 'netforge-export-'));
    source = join(temp, 'graph.json');
    await writeFile(source, JSON.stringify(p.graph));
  }
  try {
    await mkdir(exportsDir, { recursive: true });
    const args = ['export', source, '--format', p.format, '--out', join(exportsDir, p.name)];
    if (p.config?.dataset) args.push('--dataset', p.config.dataset);
    if (p.distribute) args.push('--distribute');
    args.push('--json');
    return await runCli(args);
  } finally {
    if (temp) await rm(temp, { recursive: true, force: true });
  }
}

/**
 * Runs `netforge <args>` in a process of its own (fork: in the Electron app too, it runs as Node)
 * and resolves with its last line of --json output.
 */
function runCli(args: string[]): Promise<Result<'export.write'>> {
  const entry = nodeEntry('cli');
  return new Promise((resolve, reject) => {
    const child = fork(entry.file, args, { execArgv: entry.execArgv, silent: true });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new CodedError('E_EXPORT', `The export could not be started (${e.message}).`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      let reply: unknown = null;
      try {
        reply = JSON.parse(last);
      } catch {
        // no JSON: the process failed before it could answer
      }
      const r = reply as { error?: { code?: unknown; message?: unknown } } | null;
      if (r?.error && isErrorCode(r.error.code))
        return reject(new CodedError(r.error.code, String(r.error.message)));
      if (code === 0 && reply && typeof reply === 'object')
        return resolve(reply as Result<'export.write'>);
      const why = signal === 'SIGKILL' ? 'it took too long' : stderr.trim().split('\n').pop();
      reject(new CodedError('E_EXPORT', `The export failed (${why || `exit code ${code}`}).`));
    });
  });
}
