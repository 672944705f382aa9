// The one PyTorch code generator: a graph -> the Python source of an nn.Module with
// TensorFlow's semantics (what Netforge's tfjs engine computes), plus where each entry of its
// state_dict comes from in the tfjs model. The PyTorch export writes it as model.py; the
// PyTorch engine runs the same module. Pure: no tfjs, no Node.
//
// The module takes NHWC batches, as the datasets give them, and permutes to NCHW once; image
// tensors stay NCHW inside, every other rank keeps Keras's layout. Per-kind emitters live in
// codegen/pytorch/ (conv.ts, layers.ts).
import { flattenNetwork, type FlatLayer, type FlatNetwork } from '../graph/layers.ts';
import type { GraphDoc } from '../graph/types.ts';
import { isImage, type Emitted } from './pytorch/emit.ts';
import { helperSource, type HelperName } from './pytorch/helpers.ts';
import { EMITTERS } from './pytorch/layers.ts';
import { className, Identifiers, indent, py, pyText } from './pytorch/python.ts';
import { TRAINING_SOURCE } from './pytorch/training.ts';
import type { TorchCounter, TorchEntry } from './pytorch/weights.ts';

export type { TorchCounter, TorchEntry } from './pytorch/weights.ts';
export { toTfjs, toTorch } from './pytorch/weights.ts';

export interface TorchModule {
  /** The Python class's name (model.py also binds it to `Net`). */
  className: string;
  /** model.py: the module, its helpers and the training definitions. */
  source: string;
  /** The float entries of its state_dict, with their origin in the tfjs model. */
  entries: TorchEntry[];
  /** The int64 counters of its state_dict (BatchNorm's num_batches_tracked). */
  counters: TorchCounter[];
  inputShape: number[];
  outputShape: number[];
  /** True when the network ends in a softmax (the loss then takes probabilities). */
  probabilities: boolean;
}

/** Why the generator cannot write `layer`, or null when it can. */
export function pytorchUnsupported(layer: FlatLayer): string | null {
  if (layer.kind === 'input' || EMITTERS[layer.kind]) return null;
  return `The PyTorch generator has no form of ${layer.spec.label} (${layer.kind}) yet.`;
}

export interface GenerateOptions {
  /** Shown in model.py's header; the class name comes from it. */
  title?: string;
  description?: string;
}

/** The module for `doc` (a valid graph: flattenNetwork throws on one with problems). */
export function generatePytorch(doc: GraphDoc, opts: GenerateOptions = {}): TorchModule {
  return generateFromNetwork(flattenNetwork(doc), {
    title: opts.title ?? doc.name,
    description: opts.description ?? doc.description ?? '',
  });
}

export function generateFromNetwork(net: FlatNetwork, opts: GenerateOptions = {}): TorchModule {
  const title = opts.title ?? 'Net';
  const ids = new Identifiers();
  const helpers = new Set<HelperName>(['glorot']);
  /** The layer that reads each layer's output last. */
  const lastReader = new Map<string, string>();
  for (const l of net.layers) for (const i of l.inputs) lastReader.set(i, l.name);

  // `x` is the trunk: a layer that reads it last takes it over (a plain stack reads `x = ...`
  // line after line, a residual block ends in `x = ... + x`); layers on branches, whose input
  // is still needed, get a variable of their own.
  let trunk = net.input.name;
  const variable = new Map<string, string>();
  const init: string[] = [];
  const reset: string[] = [];
  const forward: string[] = [];
  const entries: TorchEntry[] = [];
  const counters: TorchCounter[] = [];
  let block: string | null = null;
  for (const layer of net.layers) {
    const id = ids.of(layer.name);
    if (layer.kind === 'input') {
      variable.set(layer.name, 'x');
      if (isImage(layer.outputShape))
        forward.push('x = x.permute(0, 3, 1, 2)  # NHWC, as the datasets give it -> NCHW, once');
      continue;
    }
    const reason = pytorchUnsupported(layer);
    if (reason) throw new Error(reason);
    const inputs = layer.inputs.map((i) => variable.get(i)!);
    const e: Emitted = EMITTERS[layer.kind]!({
      layer,
      id,
      inputs,
      use: (h) => helpers.add(h),
    });
    const takesTrunk = layer.inputs.includes(trunk) && lastReader.get(trunk) === layer.name;
    if (takesTrunk) trunk = layer.name;
    const out = takesTrunk ? 'x' : id;
    variable.set(layer.name, out);
    if (layer.block && layer.block !== block)
      init.push(
        `# ${layer.block}: a block of ${net.layers.filter((l) => l.block === layer.block).length} layers`,
      );
    block = layer.block;
    init.push(...(e.init ?? []));
    reset.push(...(e.reset ?? []));
    forward.push(`${out} = ${e.expr}`);
    entries.push(...(e.entries ?? []));
    counters.push(...(e.counters ?? []));
  }
  const result = variable.get(net.output.name)!;
  forward.push(
    isImage(net.output.outputShape)
      ? `return ${result}.permute(0, 2, 3, 1)  # NCHW -> NHWC, as Keras gives it`
      : `return ${result}`,
  );

  const name = className(title);
  const probabilities = net.output.spec.producesSoftmax(net.output.params);
  const source = [
    ...header(title, opts.description ?? '', net, name),
    ...helperSource(helpers).flatMap((h) => ['', h, '']),
    '',
    `class ${name}(nn.Module):`,
    ...indent(
      [
        `"""${title.replace(/["\\]/g, '')}: input [batch, ${net.input.outputShape.join(', ')}] (NHWC), output [batch, ${net.output.outputShape.join(', ')}]."""`,
        '',
        'def __init__(self):',
        ...indent(['super().__init__()', ...init, 'self.reset_parameters()'], 1),
        '',
        '@torch.no_grad()',
        'def reset_parameters(self):',
        ...indent(
          [
            '"""Keras\'s initialisers: Glorot-uniform kernels, zero biases, BatchNorm gamma 1,',
            'beta 0, moving mean 0 and variance 1."""',
            ...(reset.length ? reset : ['pass']),
          ],
          1,
        ),
        '',
        'def forward(self, x):',
        ...indent(forward, 1),
      ],
      1,
    ),
    '',
    '',
    `Net = ${name}`,
    '',
    '',
    TRAINING_SOURCE,
  ].join('\n');
  return {
    className: name,
    source,
    entries,
    counters,
    inputShape: [...net.input.outputShape],
    outputShape: [...net.output.outputShape],
    probabilities,
  };
}

function header(title: string, description: string, net: FlatNetwork, name: string): string[] {
  const desc = description ? [`# ${description.replace(/\s+/g, ' ').trim()}`, '#'] : [];
  return [
    `# ${title.replace(/\s+/g, ' ')}: generated by Netforge as a PyTorch module (PyTorch 1.13 or 2.x).`,
    '#',
    ...desc,
    "# It computes what Netforge's TensorFlow.js model computes: it takes NHWC batches as the",
    "# datasets give them and works in NCHW inside; 'same' padding is TensorFlow's (the odd pixel",
    "# at the bottom / right), BatchNormalization is Keras's, and Flatten keeps the NHWC order.",
    '#',
    '#     import torch',
    `#     from model import ${name}`,
    `#     model = ${name}()`,
    '#     model.load_state_dict(torch.load("weights.pt", weights_only=True))',
    '#     model.eval()',
    '#     outputs = model(images)  # images: float32 [batch, ' +
      net.input.outputShape.join(', ') +
      ']',
    '',
    'import math',
    '',
    'import torch',
    'import torch.nn as nn',
    'import torch.nn.functional as F',
    '',
    `TITLE = ${pyText(title)}`,
    `INPUT_SHAPE = ${py(net.input.outputShape)}  # one sample, NHWC without the batch axis`,
    `OUTPUT_SHAPE = ${py(net.output.outputShape)}`,
    `# True when the network ends in a softmax (outputs probabilities), False for logits.`,
    `OUTPUTS_PROBABILITIES = ${py(net.output.spec.producesSoftmax(net.output.params))}`,
  ];
}
