// The PyTorch export: model.py from the one PyTorch generator (src/shared/codegen/pytorch.ts),
// weights.pt with the tfjs model's weights in PyTorch's layouts (written in TypeScript:
// exporting needs no Python), train.py and README.txt.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import pkg from '../../../../package.json' with { type: 'json' };
import { generateFromNetwork, toTorch, type TorchModule } from '../../../shared/codegen/pytorch.ts';
import { readme } from '../../../shared/codegen/pytorch/readme.ts';
import { trainScript } from '../../../shared/codegen/pytorch/train-script.ts';
import type { Tf } from '../backend.ts';
import type { ExportSource } from './source.ts';
import { torchSave, type TensorRecord } from './torch-save.ts';
import type { ExportWriter } from './writer.ts';

type Model = ReturnType<Tf['model']>;

export const PYTORCH_FILES = ['model.py', 'weights.pt', 'train.py', 'README.txt'];

/** The generated module's state_dict, filled from `model`'s weights. */
export function torchStateDict(model: Model, gen: TorchModule): TensorRecord[] {
  const records: TensorRecord[] = gen.entries.map((entry) => {
    const layer = model.getLayer(entry.layer);
    const variable = layer.weights.find((w) => w.originalName.endsWith(`/${entry.weight}`));
    if (!variable)
      throw new Error(
        `The tfjs layer ${entry.layer} has no weight "${entry.weight}" (it has ${layer.weights.map((w) => w.originalName).join(', ') || 'none'}).`,
      );
    if (variable.shape.join(',') !== entry.tfShape.join(','))
      throw new Error(
        `${variable.originalName} is [${variable.shape.join(', ')}]; the generated module expects [${entry.tfShape.join(', ')}].`,
      );
    const values = variable.read().dataSync() as Float32Array;
    return { name: entry.key, shape: entry.shape, data: toTorch(entry, values) };
  });
  // tfjs does not count BatchNorm's batches; PyTorch's counter starts at 0.
  for (const c of gen.counters)
    records.push({ name: c.key, shape: [], data: BigInt64Array.from([0n]) });
  return records;
}

export const pytorchWriter: ExportWriter = {
  format: 'pytorch',
  async write(_tf, source: ExportSource, dir, _options, progress) {
    const title = source.graph.name;
    progress(0, 'Writing model.py');
    const gen = generateFromNetwork(source.network, {
      title,
      description: source.graph.description ?? '',
    });
    await writeFile(join(dir, 'model.py'), gen.source);
    progress(0.2, 'Converting the weights to PyTorch layouts');
    const state = torchStateDict(source.model, gen);
    progress(0.5, 'Writing weights.pt');
    await writeFile(join(dir, 'weights.pt'), torchSave(state, 'weights'));
    progress(0.9, 'Writing train.py and README.txt');
    await writeFile(join(dir, 'train.py'), trainScript(title, source.config));
    await writeFile(
      join(dir, 'README.txt'),
      readme({
        title,
        className: gen.className,
        inputShape: gen.inputShape,
        outputShape: gen.outputShape,
        probabilities: gen.probabilities,
        config: source.config,
        trained: source.trained,
        generator: `Netforge ${pkg.version}`,
      }),
    );
    progress(1, 'Done');
    return PYTORCH_FILES;
  },
};
