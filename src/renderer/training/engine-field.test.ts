// The Engine field: what it says under it for each choice, from engines.status; when Start waits
// for it; and the engine line of a run, from its backend event.
import { describe, expect, it } from 'vitest';
import type { EnginesStatus } from '../../shared/api.ts';
import { enginesStatusSchema } from '../../shared/api.ts';
import type { BackendInfo } from '../../shared/events.ts';
import { engineBlocker, engineNote, engineOptions, runEngineText } from './engine-field.ts';

const TORCH_LINE = 'PyTorch 1.13 on CPU, 2 threads (/usr/bin/python3)';

/** engines.status where /usr/bin/python3 has torch and nothing pins auto. */
const withTorch: EnginesStatus = enginesStatusSchema.parse({
  torch: { available: true, reason: TORCH_LINE, python: '/usr/bin/python3', device: 'cpu' },
  auto: { engine: 'torch', reason: TORCH_LINE, ok: true },
  pinned: null,
});

/** engines.status on a machine without torch. */
const withoutTorch: EnginesStatus = enginesStatusSchema.parse({
  torch: { available: false, reason: 'python3 has no torch', python: null, device: null },
  auto: { engine: 'tfjs', reason: 'python3 has no torch: using TensorFlow.js', ok: true },
  pinned: null,
});

describe('the Engine field', () => {
  it('says nothing, and does not hold Start, until engines.status answers', () => {
    for (const setting of ['auto', 'tfjs', 'torch'] as const) {
      expect(engineNote(setting, null)).toBeNull();
      expect(engineBlocker(setting, null)).toBeNull();
    }
    expect(engineOptions(null).map((o) => o.label)).toEqual(['Auto', 'TensorFlow.js', 'PyTorch']);
  });

  it('names what Auto picks and why', () => {
    expect(engineNote('auto', withTorch)).toEqual({ text: `Auto: ${TORCH_LINE}`, problem: false });
    expect(engineNote('auto', withoutTorch)).toEqual({
      text: 'Auto: python3 has no torch: using TensorFlow.js',
      problem: false,
    });
    // $NETFORGE_ENGINE=tfjs: the reason alone does not name the engine, so the note does.
    const pinned = {
      ...withTorch,
      auto: { engine: 'tfjs', reason: 'NETFORGE_ENGINE=tfjs', ok: true },
      pinned: 'tfjs',
    } as const;
    expect(engineNote('auto', pinned)?.text).toBe('Auto: TensorFlow.js (NETFORGE_ENGINE=tfjs)');
    expect(engineBlocker('auto', pinned)).toBeNull();
  });

  it('holds Start when auto cannot start (NETFORGE_ENGINE=torch without torch)', () => {
    const reason =
      'The PyTorch engine was asked for (NETFORGE_ENGINE=torch) but python3 has no torch. Install PyTorch...';
    const broken = {
      ...withoutTorch,
      auto: { engine: 'torch', reason, ok: false },
      pinned: 'torch',
    } as const;
    expect(engineNote('auto', broken)).toEqual({ text: reason, problem: true });
    expect(engineBlocker('auto', broken)).toBe(reason);
    // TensorFlow.js is unaffected by the pin (it pins auto only).
    expect(engineBlocker('tfjs', broken)).toBeNull();
  });

  it('gives PyTorch its version and device, or marks it with why it cannot train here', () => {
    expect(engineNote('torch', withTorch)).toEqual({ text: TORCH_LINE, problem: false });
    expect(engineBlocker('torch', withTorch)).toBeNull();
    const missing = engineNote('torch', withoutTorch)!;
    expect(missing.problem).toBe(true);
    expect(missing.text).toMatch(/^PyTorch cannot train here: python3 has no torch\./);
    // It says what to do.
    expect(missing.text).toMatch(/Choose Auto or TensorFlow\.js/);
    expect(missing.text).toMatch(/NETFORGE_PYTHON/);
    expect(engineBlocker('torch', withoutTorch)).toBe(missing.text);
    // Still selectable (a project may name it), labelled as not found.
    expect(engineOptions(withoutTorch).find((o) => o.value === 'torch')?.label).toBe(
      'PyTorch (not found)',
    );
    expect(engineOptions(withTorch).find((o) => o.value === 'torch')?.label).toBe('PyTorch');
  });

  it('tells a TensorFlow.js choice that PyTorch is here too, when it is', () => {
    expect(engineNote('tfjs', withTorch)?.text).toContain(`PyTorch is also here: ${TORCH_LINE}`);
    expect(engineNote('tfjs', withoutTorch)?.text).not.toContain('PyTorch');
    expect(engineBlocker('tfjs', withoutTorch)).toBeNull();
  });
});

describe("a run's engine line", () => {
  it('names PyTorch with its device for a torch run', () => {
    const b: BackendInfo = { backend: 'torch', device: 'cpu', reason: TORCH_LINE };
    expect(runEngineText(b)).toBe(TORCH_LINE);
    // A reason that does not name PyTorch is put after it.
    expect(runEngineText({ backend: 'torch', device: 'cuda (NVIDIA H200)', reason: 'x' })).toBe(
      'PyTorch on cuda (NVIDIA H200); x',
    );
  });

  it('names TensorFlow.js and its backend for a tfjs run', () => {
    const b: BackendInfo = {
      backend: 'wasm',
      device: 'CPU (WebAssembly, XNNPACK, 1 thread)',
      reason: 'python3 has no torch, tfjs-node-gpu not installed: using wasm',
    };
    expect(runEngineText(b)).toBe(
      'TensorFlow.js (wasm) on CPU (WebAssembly, XNNPACK, 1 thread); python3 has no torch, ' +
        'tfjs-node-gpu not installed: using wasm',
    );
  });

  it("falls back to the config's engine before the engine has said, and to nothing for auto", () => {
    expect(runEngineText(null, 'torch')).toBe('PyTorch');
    expect(runEngineText(null, 'tfjs')).toBe('TensorFlow.js');
    expect(runEngineText(null, 'auto')).toBeNull();
    expect(runEngineText(null)).toBeNull();
  });
});
