// Finds a Python with PyTorch for the torch engine and what it can run on, with one short
// subprocess per interpreter (importing torch takes ~1.5 s), cached for the life of the process.
//
// The interpreter: --python / the request's python, else $NETFORGE_PYTHON, else python3 on the
// PATH, else Debian's /usr/bin/python3 (a pyenv or venv python3 on the PATH often lacks the
// system's python3-torch; the reason line then says which one was used).
import { execFile } from 'node:child_process';

export interface TorchInfo {
  /** The interpreter that has torch, as it was named (a path or a command). */
  python: string;
  /** torch.__version__, e.g. "1.13.0a0+git..." or "2.4.1+cu121". */
  version: string;
  /** PyTorch's intra-op threads on the CPU (its own default, which the runner keeps). */
  threads: number;
  cudaDevices: string[];
  mps: boolean;
}

export type TorchProbe = { ok: true; info: TorchInfo } | { ok: false; why: string };

// Prints one JSON line. The thread count is PyTorch's default, which the runner keeps: forcing
// one thread per core made LeNet-5 30 times slower on a busy 2-core machine (OpenMP threads
// spinning against other processes), 160 samples/s against 5,300.
const PROBE = `
import json, sys
try:
    import torch
except Exception as e:
    print(json.dumps({"error": type(e).__name__ + ": " + str(e)}))
    sys.exit(0)
cuda = torch.cuda.is_available()
mps = getattr(torch.backends, "mps", None)
print(json.dumps({
    "version": torch.__version__,
    "threads": torch.get_num_threads(),
    "cudaDevices": [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] if cuda else [],
    "mps": bool(mps and mps.is_available()),
}))
`;

/** Under load a cold `import torch` can take several seconds; past this the answer is "no". */
const PROBE_TIMEOUT_MS = 20_000;

const cache = new Map<string, Promise<TorchProbe>>();

function probeOne(python: string): Promise<TorchProbe> {
  return new Promise((resolve) => {
    execFile(
      python,
      ['-c', PROBE],
      { timeout: PROBE_TIMEOUT_MS, windowsHide: true },
      (err, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('{'));
        if (!line) {
          const missing = (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
          const timedOut = (err as { killed?: boolean } | null)?.killed;
          const last = stderr.trim().split('\n').at(-1) ?? '';
          return resolve({
            ok: false,
            why: missing
              ? `${python} not found`
              : timedOut
                ? `${python} took over ${PROBE_TIMEOUT_MS / 1000} s to import torch`
                : `${python} failed (${last || err?.message || 'no output'})`,
          });
        }
        try {
          const r = JSON.parse(line) as Partial<TorchInfo> & { error?: string };
          if (r.error) return resolve({ ok: false, why: `${python} has no torch` });
          resolve({
            ok: true,
            info: {
              python,
              version: String(r.version),
              threads: Number(r.threads) || 1,
              cudaDevices: r.cudaDevices ?? [],
              mps: Boolean(r.mps),
            },
          });
        } catch {
          resolve({ ok: false, why: `${python} printed something unexpected` });
        }
      },
    );
  });
}

/** What one interpreter has, asked once per process. */
export function probePython(python: string): Promise<TorchProbe> {
  let p = cache.get(python);
  if (!p) {
    p = probeOne(python);
    cache.set(python, p);
  }
  return p;
}

/** The interpreters to try, in order, for `explicit` (--python / a setting) or the defaults. */
export function pythonCandidates(explicit?: string | null, env = process.env): string[] {
  if (explicit) return [explicit];
  if (env.NETFORGE_PYTHON) return [env.NETFORGE_PYTHON];
  return process.platform === 'win32' ? ['python', 'py'] : ['python3', '/usr/bin/python3'];
}

/**
 * The first interpreter with torch among the candidates, or why none: "python3 has no torch".
 * When python3 on the PATH lacks torch and /usr/bin/python3 has it, the info's python says so.
 */
export async function detectTorch(
  explicit?: string | null,
  env = process.env,
): Promise<TorchProbe> {
  const candidates = pythonCandidates(explicit, env);
  let first: string | null = null;
  for (const python of candidates) {
    const r = await probePython(python);
    if (r.ok) return r;
    first ??= r.why;
  }
  return { ok: false, why: first ?? 'no Python to try' };
}

/** "1.13" of "1.13.0a0+git...". */
export const shortVersion = (v: string): string => v.split('.').slice(0, 2).join('.');

export type TorchDevice = 'cuda' | 'mps' | 'cpu';

export const torchDevice = (info: TorchInfo): TorchDevice =>
  info.cudaDevices.length ? 'cuda' : info.mps ? 'mps' : 'cpu';

/** The reason line: "PyTorch 1.13 on CPU, 2 threads", "PyTorch 2.4 on CUDA (NVIDIA H200)". */
export function torchReason(info: TorchInfo, env = process.env): string {
  const v = `PyTorch ${shortVersion(info.version)}`;
  const device = torchDevice(info);
  const on =
    device === 'cuda'
      ? `CUDA (${[...new Set(info.cudaDevices)].join(', ')}${info.cudaDevices.length > 1 ? `, ${info.cudaDevices.length} GPUs` : ''})`
      : device === 'mps'
        ? 'Apple MPS'
        : `CPU, ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  // Say which Python when it is not the obvious one.
  const which =
    info.python === 'python3' || info.python === env.NETFORGE_PYTHON ? '' : ` (${info.python})`;
  return `${v} on ${on}${which}`;
}
