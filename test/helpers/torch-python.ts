// A Python interpreter with torch for the tests that check generated PyTorch code, or null:
// $NETFORGE_PYTHON, else python3 on the PATH, else Debian's /usr/bin/python3 (a pyenv python3
// on the PATH may lack the Debian package's torch). Checked once per test file.
import { spawn, spawnSync } from 'node:child_process';

let found: string | null | undefined;

export function torchPython(): string | null {
  if (found !== undefined) return found;
  const candidates = [process.env.NETFORGE_PYTHON, 'python3', '/usr/bin/python3'].filter(
    (c): c is string => Boolean(c),
  );
  found = null;
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
    if (r.status === 0) {
      found = python;
      break;
    }
  }
  return found;
}

/** A describe() title that says why it is skipped where there is no torch. */
export const torchTitle = (title: string): string =>
  torchPython() ? title : `${title} (skipped: python3 has no torch)`;

export interface PythonResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface PythonOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** `script` is a file, not source text. */
  file?: boolean;
  /** Killed (SIGKILL) when this fires; its result then has code null. */
  signal?: AbortSignal;
  /** How `signal` ends it (default SIGKILL; SIGABRT makes a faulthandler-enabled Python print where each thread is). */
  killSignal?: NodeJS.Signals;
}

/** Runs `python -c script args...` (or a file with `file: true`), collecting its output. */
export function runPython(
  script: string,
  args: string[] = [],
  opts: PythonOptions = {},
): Promise<PythonResult> {
  const python = torchPython();
  if (!python) throw new Error('python3 has no torch');
  return new Promise((resolve, reject) => {
    const child = spawn(python, opts.file ? [script, ...args] : ['-c', script, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: opts.signal,
      killSignal: opts.killSignal ?? 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) => {
      if (e.name !== 'AbortError') reject(e);
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The JSON lines a Python script printed, parsed (other lines are ignored). */
export function jsonLines<T>(stdout: string): T[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as T);
}
