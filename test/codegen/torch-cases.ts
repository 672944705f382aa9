// Test cases for the generated PyTorch module: a tfjs model with random weights (biases and
// BatchNorm statistics too, so every state_dict entry's mapping shows), its module and
// weights.pt, inputs and tfjs's outputs in a folder; one Python process then checks them all.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { Tf } from '../../src/main/engine/backend.ts';
import { torchStateDict } from '../../src/main/engine/export/pytorch.ts';
import { torchSave } from '../../src/main/engine/export/torch-save.ts';
import { generateFromNetwork, type TorchModule } from '../../src/shared/codegen/pytorch.ts';
import type { FlatNetwork } from '../../src/shared/graph/layers.ts';

type Model = ReturnType<Tf['model']>;
type Tensor = ReturnType<Tf['tensor']>;

/** Gives every weight of `model` random values: variances in [0.5, 1.5], the rest N(0, 0.5). */
export function randomizeWeights(tf: Tf, model: Model, seed: number): void {
  model.weights.forEach((w, i) => {
    const shape = w.shape as number[]; // a weight's shape is fully known
    const v = tf.tidy(() =>
      /moving_variance$/.test(w.originalName)
        ? tf.randomUniform(shape, 0.5, 1.5, 'float32', seed + i)
        : tf.randomNormal(shape, 0, 0.5, 'float32', seed + i),
    );
    w.write(v);
    v.dispose();
  });
}

export const f32bytes = (t: Tensor): Buffer =>
  Buffer.from((t.dataSync() as Float32Array).slice().buffer);

/** Writes model.py and weights.pt for `model` into `dir`; returns the generated module. */
export async function writeModule(
  dir: string,
  model: Model,
  network: FlatNetwork,
  title = 'Case',
): Promise<TorchModule> {
  await mkdir(dir, { recursive: true });
  const gen = generateFromNetwork(network, { title });
  await writeFile(join(dir, 'model.py'), gen.source);
  await writeFile(join(dir, 'weights.pt'), torchSave(torchStateDict(model, gen)));
  return gen;
}

/** Writes x.bin, y.bin (tfjs's inference outputs) and meta.json beside the module. */
export async function writeForward(dir: string, tf: Tf, model: Model, x: Tensor): Promise<void> {
  const y = model.predict(x) as Tensor;
  await writeFile(join(dir, 'x.bin'), f32bytes(x));
  await writeFile(join(dir, 'y.bin'), f32bytes(y));
  await writeFile(join(dir, 'meta.json'), JSON.stringify({ x: x.shape, y: y.shape }));
  y.dispose();
}

/**
 * Python that, for each folder given, loads model.py with weights.pt (torch.load), runs x.bin
 * through it in eval mode and prints {"dir", "maxDiff", "maxAbs", "shape"} against y.bin.
 */
export const CHECK_FORWARD = `
import importlib.util, json, sys, torch
def load(d):
    spec = importlib.util.spec_from_file_location("model_" + str(abs(hash(d))), d + "/model.py")
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m
def tensor(path, shape):
    return torch.frombuffer(bytearray(open(path, "rb").read()), dtype=torch.float32).reshape(shape)
for d in sys.argv[1:]:
    try:
        meta = json.load(open(d + "/meta.json"))
        net = load(d).Net()
        net.load_state_dict(torch.load(d + "/weights.pt", weights_only=True))
        net.eval()
        with torch.no_grad():
            out = net(tensor(d + "/x.bin", meta["x"]))
        y = tensor(d + "/y.bin", meta["y"])
        ok = list(out.shape) == list(y.shape)
        diff = (out - y).abs().max().item() if ok else float("inf")
        print(json.dumps({"dir": d, "maxDiff": diff, "maxAbs": y.abs().max().item(),
                          "shape": list(out.shape)}), flush=True)
    except Exception as e:
        print(json.dumps({"dir": d, "error": repr(e)}), flush=True)
`;

export interface ForwardResult {
  dir: string;
  maxDiff?: number;
  maxAbs?: number;
  shape?: number[];
  error?: string;
}
