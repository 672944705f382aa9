// The Training panel's Engine field (Auto / TensorFlow.js / PyTorch) and the engine line of a run.
// What the field says under it comes from engines.status, asked once per page load: what Auto
// picks here and why, or why PyTorch cannot train here. PyTorch stays selectable without torch
// (a project saved on another machine may name it): the field is then marked, as the data folder
// is, and Start waits with the reason, since the run would fail with E_NO_TORCH.
import type { EnginesStatus } from '../../shared/api.ts';
import type { BackendInfo } from '../../shared/events.ts';
import { ENGINES, type EngineSetting } from '../../shared/train-config.ts';

/** How the engines are named to the user. */
export const ENGINE_NAMES: Record<EngineSetting, string> = {
  auto: 'Auto',
  tfjs: 'TensorFlow.js',
  torch: 'PyTorch',
};

/** The select's options; PyTorch says so when this machine has none. */
export function engineOptions(
  status: EnginesStatus | null,
): { value: EngineSetting; label: string }[] {
  return ENGINES.map((value) => ({
    value,
    label:
      value === 'torch' && status && !status.torch.available
        ? `${ENGINE_NAMES.torch} (not found)`
        : ENGINE_NAMES[value],
  }));
}

export interface EngineNote {
  text: string;
  /** A run with this setting would fail to start here: the field is marked, Start waits. */
  problem: boolean;
}

/** "...: using TensorFlow.js" already says which engine; a bare reason gets it named. */
const tfjsBecause = (reason: string): string =>
  /TensorFlow\.js/.test(reason) ? reason : `TensorFlow.js (${reason})`;

/** What the field says under it for `setting`, or null until engines.status has answered. */
export function engineNote(
  setting: EngineSetting,
  status: EnginesStatus | null,
): EngineNote | null {
  if (!status) return null;
  const { torch, auto } = status;
  switch (setting) {
    case 'auto':
      if (!auto.ok) return { text: auto.reason, problem: true };
      return {
        text: `Auto: ${auto.engine === 'torch' ? auto.reason : tfjsBecause(auto.reason)}`,
        problem: false,
      };
    case 'tfjs':
      return {
        text: torch.available
          ? `TensorFlow.js (wasm, or tfjs-node-gpu where installed). PyTorch is also here: ${torch.reason}.`
          : 'TensorFlow.js (wasm, or tfjs-node-gpu where installed).',
        problem: false,
      };
    case 'torch':
      if (torch.available) return { text: torch.reason, problem: false };
      return {
        text:
          `PyTorch cannot train here: ${torch.reason}. Choose Auto or TensorFlow.js, or install ` +
          'PyTorch (pip install torch, or apt-get install python3-torch) and set NETFORGE_PYTHON ' +
          'to that Python before starting Netforge.',
        problem: true,
      };
  }
}

/** Start's reason to wait for the Engine field, or null (also while the status is unknown). */
export function engineBlocker(setting: EngineSetting, status: EnginesStatus | null): string | null {
  const note = engineNote(setting, status);
  return note?.problem ? note.text : null;
}

/**
 * The engine a run trained with, from its backend event (live, or replayed by runs.get):
 * "PyTorch 1.13 on CPU, 2 threads", "TensorFlow.js (wasm) on CPU (WebAssembly, XNNPACK, 1 thread);
 * tfjs-node-gpu not installed: using wasm". Without that event (a run that failed before its
 * engine started), the engine its config.json names, if it names one; else null.
 */
export function runEngineText(
  b: BackendInfo | null,
  configEngine?: EngineSetting | null,
): string | null {
  if (!b) return configEngine && configEngine !== 'auto' ? ENGINE_NAMES[configEngine] : null;
  if (b.backend === 'torch')
    // The torch engine's reason is its detection line, which names PyTorch and the device.
    return /^PyTorch\b/.test(b.reason) ? b.reason : `PyTorch on ${b.device}; ${b.reason}`;
  return `TensorFlow.js (${b.backend}) on ${b.device}; ${b.reason}`;
}
