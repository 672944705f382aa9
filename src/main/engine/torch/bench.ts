// `netforge bench --engine torch`: the training throughput of the module the PyTorch generator
// writes for a bench network (resources/torch/bench.py), measured as torch_reference.py measures
// PyTorch's plain loop, so the two compare in one run (scripts/bench-compare.ts --engine torch).
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { generatePytorch } from '../../../shared/codegen/pytorch.ts';
import { CodedError } from '../../../shared/errors.ts';
import type { BackendInfo } from '../../../shared/events.ts';
import { getTemplate } from '../../../shared/templates/index.ts';
import { DEFAULT_SAMPLES, type BenchModel } from '../bench.ts';
import { torchDevice, type TorchDevice } from './detect.ts';
import { resolveEngine } from './resolve.ts';
import { torchResource } from './train.ts';

export interface TorchBenchResult {
  model: BenchModel;
  batch: number;
  backend: 'torch';
  device: string;
  samples: number;
  samples_per_s: number;
  threads: number;
  info: BackendInfo;
}

export async function benchTorch(
  model: BenchModel,
  opts: { batch?: number; samples?: number; python?: string | null; device?: TorchDevice | null },
): Promise<TorchBenchResult> {
  const choice = await resolveEngine('torch', { python: opts.python ?? null });
  if (choice.engine !== 'torch') throw new Error('unreachable: torch was asked for');
  const device = opts.device ?? torchDevice(choice.torch);
  const batch = opts.batch ?? 32;
  const samples = opts.samples ?? DEFAULT_SAMPLES[model];
  const dir = await mkdtemp(join(tmpdir(), 'netforge-bench-'));
  try {
    await writeFile(join(dir, 'model.py'), generatePytorch(getTemplate(model)!.build()).source);
    await copyFile(torchResource('bench.py'), join(dir, 'bench.py'));
    const args = [join(dir, 'bench.py'), dir, '--batch', String(batch)];
    args.push('--samples', String(samples), '--device', device);
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        choice.torch.python,
        args,
        { env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }, maxBuffer: 1 << 20 },
        (err, out, errOut) =>
          err
            ? reject(
                new CodedError(
                  'E_INTERNAL',
                  `The PyTorch benchmark failed: ${errOut.trim().split('\n').slice(-3).join(' | ') || err.message}`,
                ),
              )
            : resolve(out),
      ),
    );
    const line = stdout.split('\n').find((l) => l.startsWith('{'));
    const r = JSON.parse(line ?? '{}') as { samples_per_s: number; threads: number };
    return {
      model,
      batch,
      backend: 'torch',
      device,
      samples,
      samples_per_s: r.samples_per_s,
      threads: r.threads,
      info: { backend: 'torch', device, reason: choice.reason },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
