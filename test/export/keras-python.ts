// What the Keras export tests share: a Python that has the modules a check needs (or the reason
// the check is skipped), .npy files for handing arrays to it, and running a check script.
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';

/**
 * The first of $NETFORGE_PYTHON, python3 and /usr/bin/python3 that imports every module, or null.
 * (A python3 first on PATH may lack Debian's packages that /usr/bin/python3 has.)
 */
export function pythonWith(modules: string[]): string | null {
  const candidates = [process.env.NETFORGE_PYTHON, 'python3', '/usr/bin/python3'];
  for (const py of candidates) {
    if (!py) continue;
    const r = spawnSync(py, ['-c', modules.map((m) => `import ${m}`).join('; ')], {
      stdio: 'ignore',
    });
    if (r.status === 0) return py;
  }
  return null;
}

/** A float32 array as a NumPy .npy file (format 1.0, C order). */
export async function writeNpy(path: string, data: Float32Array, shape: number[]): Promise<void> {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  // The header ends in a newline and pads the preamble to a multiple of 64 bytes.
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  await writeFile(path, Buffer.concat([pre, Buffer.from(header, 'latin1'), bytes]));
}

/** Runs a Python script and parses the JSON it prints; a failure shows Python's error. */
export function runPythonJson<T>(python: string, args: string[]): T {
  const r = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${python} ${args.join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
