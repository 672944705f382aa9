// Which engine trains a run: the TrainConfig's 'auto' | 'tfjs' | 'torch' resolved on this machine,
// with the reason the backend line shows.
//
// auto: a GPU engine if one works (PyTorch with CUDA or MPS, then tfjs-node-gpu with CUDA), else
// PyTorch on the CPU (several times faster than wasm: oneDNN on every core), else tfjs.
// $NETFORGE_ENGINE=tfjs|torch pins what auto resolves to (the test suite pins tfjs).
import { CodedError } from '../../../shared/errors.ts';
import type { EngineName, EngineSetting } from '../../../shared/train-config.ts';
import { detectTorch, torchDevice, torchReason, type TorchInfo } from './detect.ts';

export type EngineChoice =
  | { engine: 'torch'; torch: TorchInfo; reason: string }
  /** `why`: what to put before the tfjs backend's own reason ("python3 has no torch"), or null. */
  | { engine: 'tfjs'; why: string | null };

export interface ResolveOptions {
  /** --python / the request's interpreter. */
  python?: string | null;
  env?: NodeJS.ProcessEnv;
  /** Whether tfjs-node-gpu trains on a GPU here (backend.ts's tfjsUsesGpu). */
  tfjsGpu?: () => Promise<boolean>;
}

/** $NETFORGE_ENGINE, when it names an engine. */
export function pinnedEngine(env = process.env): EngineName | null {
  const v = env.NETFORGE_ENGINE?.trim();
  return v === 'tfjs' || v === 'torch' ? v : null;
}

function noTorch(why: string, how: string): CodedError {
  return new CodedError(
    'E_NO_TORCH',
    `The PyTorch engine was asked for (${how}) but ${why}. Install PyTorch for that Python ` +
      '(pip install torch, or apt-get install python3-torch), point NETFORGE_PYTHON or --python ' +
      'at a Python that has it, or train with --engine tfjs.',
  );
}

export async function resolveEngine(
  setting: EngineSetting,
  o: ResolveOptions = {},
): Promise<EngineChoice> {
  const env = o.env ?? process.env;
  const pin = setting === 'auto' ? pinnedEngine(env) : null;
  const wanted = setting === 'auto' ? pin : setting;
  if (wanted === 'tfjs') return { engine: 'tfjs', why: null };
  const probe = await detectTorch(o.python, env);
  if (wanted === 'torch') {
    if (!probe.ok)
      throw noTorch(probe.why, pin ? 'NETFORGE_ENGINE=torch' : 'engine torch in the settings');
    return { engine: 'torch', torch: probe.info, reason: torchReason(probe.info, env) };
  }
  if (probe.ok && torchDevice(probe.info) !== 'cpu')
    return { engine: 'torch', torch: probe.info, reason: torchReason(probe.info, env) };
  if (await (o.tfjsGpu ?? (() => Promise.resolve(false)))())
    return {
      engine: 'tfjs',
      why: probe.ok ? 'tfjs-node-gpu has a CUDA GPU, PyTorch only the CPU' : probe.why,
    };
  if (probe.ok) return { engine: 'torch', torch: probe.info, reason: torchReason(probe.info, env) };
  return { engine: 'tfjs', why: probe.why };
}
