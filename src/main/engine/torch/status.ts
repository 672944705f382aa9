// engines.status: what the Training panel shows beside its engine select. Runs in main, which
// never loads tfjs: the PyTorch side is probed (cached), the tfjs side is always there.
import type { EnginesStatus } from '../../../shared/api.ts';
import { CodedError } from '../../../shared/errors.ts';
import { detectTorch, torchDevice, torchReason } from './detect.ts';
import { pinnedEngine, resolveEngine } from './resolve.ts';

export async function enginesStatus(
  python: string | null,
  env = process.env,
): Promise<EnginesStatus> {
  const probe = await detectTorch(python, env);
  const torch = probe.ok
    ? {
        available: true,
        reason: torchReason(probe.info, env),
        python: probe.info.python,
        device: torchDevice(probe.info),
      }
    : { available: false, reason: probe.why, python: null, device: null };
  let auto: EnginesStatus['auto'];
  try {
    const c = await resolveEngine('auto', { python, env });
    auto =
      c.engine === 'torch'
        ? { engine: 'torch', reason: c.reason, ok: true }
        : {
            engine: 'tfjs',
            reason: c.why ? `${c.why}: using TensorFlow.js` : 'NETFORGE_ENGINE=tfjs',
            ok: true,
          };
  } catch (e) {
    auto = { engine: 'torch', reason: e instanceof CodedError ? e.message : String(e), ok: false };
  }
  return { torch, auto, pinned: pinnedEngine(env) };
}
