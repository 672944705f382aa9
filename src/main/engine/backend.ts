// Picks the fastest TensorFlow.js backend that works here and says why:
// tfjs-node-gpu (CUDA GPU, else its CPU kernels), else wasm with Netforge's
// extra training kernels, else the pure-JS cpu backend.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendInfo, BackendName } from '../../shared/events.ts';
import { registerWasmTrainingKernels } from './kernels/register-wasm.ts';
import { registerDilatedGradients } from './kernels/dilated-gradients.ts';

export type Tf = typeof tf;

const NODE_GPU = '@tensorflow/tfjs-node-gpu';

/** tfjs-node's backend object carries these flags (not in its public types). */
interface NodeBackendFlags {
  isGPUPackage?: boolean;
  isUsingGpuDevice?: boolean;
}

async function tryTensorflow(): Promise<{ ok: true; device: string } | { ok: false; why: string }> {
  try {
    await import(/* @vite-ignore */ NODE_GPU);
  } catch (e) {
    const missing =
      (e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' ||
      /Cannot find (module|package)/.test(String(e));
    return {
      ok: false,
      why: missing
        ? 'tfjs-node-gpu not installed'
        : `tfjs-node-gpu failed to load (${(e as Error).message.split('\n')[0]})`,
    };
  }
  if (!(await tf.setBackend('tensorflow')))
    return { ok: false, why: 'tfjs-node-gpu loaded but its backend did not start' };
  const flags = tf.backend() as unknown as NodeBackendFlags;
  return {
    ok: true,
    device: flags.isUsingGpuDevice ? 'CUDA GPU' : 'CPU (no usable CUDA GPU found)',
  };
}

/**
 * Whether tfjs-node-gpu loads and trains on a CUDA GPU here (auto's engine choice asks this first).
 * It leaves that backend active when it does; selectBackend picks it again anyway.
 */
export async function tfjsUsesGpu(): Promise<boolean> {
  const r = await tryTensorflow();
  return r.ok && r.device === 'CUDA GPU';
}

async function useWasm(): Promise<boolean> {
  registerWasmTrainingKernels(tf);
  try {
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

let gradientsReady = false;
/** Dilated convolutions train on every backend with Netforge's gradients (kernels/dilated-gradients.ts). */
function ensureGradients(): void {
  if (gradientsReady) return;
  gradientsReady = true;
  registerDilatedGradients(tf);
}

const threads = (): string => {
  const flags = tf.env().getFlags() as Record<string, unknown>;
  return flags.WASM_HAS_MULTITHREAD_SUPPORT ? 'multi-threaded' : 'single-threaded';
};

/**
 * Activates a backend. With `requested`, that one or an error; otherwise the
 * best available. The returned info is what the user sees first.
 */
export async function selectBackend(
  requested?: BackendName | null,
): Promise<BackendInfo & { backend: BackendName }> {
  ensureGradients();
  if (requested === 'tensorflow') {
    const r = await tryTensorflow();
    if (!r.ok)
      throw new Error(
        `--backend tensorflow: ${r.why}. Install @tensorflow/tfjs-node-gpu, or use --backend wasm.`,
      );
    return { backend: 'tensorflow', device: r.device, reason: 'requested with --backend' };
  }
  if (requested === 'wasm') {
    if (!(await useWasm()))
      throw new Error(
        '--backend wasm: the WebAssembly backend failed to start. Use --backend cpu.',
      );
    return {
      backend: 'wasm',
      device: `CPU (WebAssembly, XNNPACK, ${threads()})`,
      reason: 'requested with --backend',
    };
  }
  if (requested === 'cpu') {
    await tf.setBackend('cpu');
    return { backend: 'cpu', device: 'CPU (plain JavaScript)', reason: 'requested with --backend' };
  }
  const t = await tryTensorflow();
  if (t.ok) return { backend: 'tensorflow', device: t.device, reason: 'tfjs-node-gpu loaded' };
  if (await useWasm())
    return {
      backend: 'wasm',
      device: `CPU (WebAssembly, XNNPACK, ${threads()})`,
      reason: `${t.why}: using wasm`,
    };
  await tf.setBackend('cpu');
  return {
    backend: 'cpu',
    device: 'CPU (plain JavaScript)',
    reason: `${t.why} and wasm failed to start: using the slow cpu backend`,
  };
}

export { tf };
