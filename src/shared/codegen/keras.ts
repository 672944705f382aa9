// Graph + run settings -> one standalone Keras script in the chapter's style: it rebuilds the
// network (Sequential for a plain chain, the functional API otherwise), loads the dataset with
// keras.datasets and Netforge's normalisation, trains with the run's settings and evaluates.
// Pure: the keras-py export writes what this returns.
import { flattenNetwork } from '../graph/layers.ts';
import type { GraphDoc } from '../graph/types.ts';
import { getLayer } from '../layers/registry.ts';
import type { TrainConfig } from '../train-config.ts';
import { KERAS_DEFAULTS } from './keras-config.ts';
import { kerasModel, type KerasLayer, type KerasModel, type KerasValue } from './keras-layers.ts';
import { Identifiers, pyNumber, pyString, pyValue } from './python.ts';
import { AUGMENT, describe, INDENT, loadData, mainFunction, schedule } from './keras-train.ts';

export interface KerasScriptOptions {
  /** Build and compile inside tf.distribute.MirroredStrategy (every GPU of the machine). */
  distribute?: boolean;
}

/** The argument Keras takes first, written without its name as the chapter does. */
export const POSITIONAL: Record<string, string> = {
  Dense: 'units',
  Conv2D: 'filters',
  Conv2DTranspose: 'filters',
  SeparableConv2D: 'filters',
  Dropout: 'rate',
  Activation: 'activation',
  // Always written: Keras 3 renamed it (negative_slope) but still takes it first.
  LeakyReLU: 'alpha',
};
/** Written even when equal to Keras's default, as the chapter writes them. */
const ALWAYS = new Set(['pool_size']);
/** Sizes written as one number when both axes agree (kernel_size=3). */
const SQUARE = new Set(['kernel_size', 'strides', 'pool_size', 'dilation_rate']);
/** Names the script uses itself, kept apart from the layers' variables. */
const RESERVED = ['tf', 'keras', 'layers', 'np', 'math', 'model', 'inputs', 'build_model'];

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function argument(key: string, v: KerasValue): string {
  if (SQUARE.has(key) && Array.isArray(v) && v.length === 2 && v[0] === v[1]) return pyValue(v[0]!);
  return pyValue(v);
}

/** `layers.Conv2D(6, kernel_size=3, name='conv2d')`: Keras's defaults left out. */
export function layerCall(l: KerasLayer): string {
  if (l.className === 'InputLayer')
    return `keras.Input(shape=${pyValue(l.args.shape!)}, name=${pyString(l.name)})`;
  const defaults = KERAS_DEFAULTS[l.className] ?? {};
  const first = POSITIONAL[l.className];
  const args: string[] = [];
  for (const [k, v] of Object.entries(l.args)) {
    if (k === first) args.unshift(argument(k, v));
    else if (ALWAYS.has(k) || !(k in defaults) || !same(defaults[k], v))
      args.push(`${k}=${argument(k, v)}`);
  }
  args.push(`name=${pyString(l.name)}`);
  return `layers.${l.className}(${args.join(', ')})`;
}

/** A comment naming the block a layer belongs to, before its first layer. */
function blockComments(doc: GraphDoc, model: KerasModel): Map<KerasLayer, string> {
  const out = new Map<KerasLayer, string>();
  const seen = new Set<string>();
  for (const l of model.layers) {
    const block = l.source.block;
    if (!block || seen.has(block)) continue;
    seen.add(block);
    const node = doc.nodes.find((n) => n.id === l.source.nodeId);
    const label = node ? (getLayer(node.kind)?.label ?? node.kind) : 'block';
    const params = Object.entries(node?.params ?? {}).map(([k, v]) => `${k} ${JSON.stringify(v)}`);
    out.set(l, `# ${block}: ${label}${params.length ? ` (${params.join(', ')})` : ''}`);
  }
  return out;
}

function buildModel(doc: GraphDoc, model: KerasModel, name: string): string[] {
  const comments = blockComments(doc, model);
  if (model.sequential) {
    const lines = model.layers.flatMap((l) => [
      ...(comments.has(l) ? [comments.get(l)!] : []),
      `${layerCall(l)},`,
    ]);
    return [
      'def build_model():',
      `${INDENT}"""The network as a Sequential model: a plain chain of layers."""`,
      `${INDENT}return keras.Sequential(`,
      `${INDENT}${INDENT}[`,
      ...lines.map((s) => `${INDENT.repeat(3)}${s}`),
      `${INDENT}${INDENT}],`,
      `${INDENT}${INDENT}name=${pyString(name)},`,
      `${INDENT})`,
    ];
  }
  const ids = new Identifiers(RESERVED);
  const tensor = (layer: string): string => (layer === model.input.name ? 'inputs' : ids.of(layer));
  const body = model.layers.flatMap((l) => {
    const pre = comments.has(l) ? [comments.get(l)!] : [];
    if (l === model.input) return [...pre, `inputs = ${layerCall(l)}`];
    const ins = l.inputs.map(tensor);
    const arg = ins.length === 1 ? ins[0]! : `[${ins.join(', ')}]`;
    return [...pre, `${tensor(l.name)} = ${layerCall(l)}(${arg})`];
  });
  return [
    'def build_model():',
    `${INDENT}"""The network in the functional API (it branches or joins)."""`,
    ...body.map((s) => INDENT + s),
    `${INDENT}return keras.Model(inputs=inputs, outputs=${tensor(model.output.name)}, name=${pyString(name)})`,
  ];
}

/** The Keras script for `doc` trained with `config` (check kerasUnsupported's layers first). */
export function kerasScript(
  doc: GraphDoc,
  config: TrainConfig,
  options: KerasScriptOptions = {},
): string {
  const net = flattenNetwork(doc);
  const model = kerasModel(net);
  const name =
    doc.name
      .replace(/[^A-Za-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .toLowerCase() || 'model';
  const probabilities = net.output.spec.producesSoftmax(net.output.params);
  const sections = [
    [
      `"""${doc.name} in Keras, generated by Netforge.`,
      '',
      `Rebuilds the network of the design "${doc.name}" and trains it as the run was trained:`,
      ...describe(config),
      ...(options.distribute
        ? ['Training is spread over every GPU of the machine (tf.distribute.MirroredStrategy).']
        : []),
      '',
      'Needs TensorFlow 2 (pip install tensorflow); keras.datasets downloads the dataset on the first run.',
      `    python3 ${name}.py`,
      '"""',
      ...(config.schedule.kind === 'cosine' ? ['import math', ''] : []),
      'import tensorflow as tf',
      'from tensorflow import keras',
      'from tensorflow.keras import layers',
    ],
    [
      `SEED = ${config.seed}`,
      `EPOCHS = ${config.epochs}`,
      `BATCH_SIZE = ${config.batchSize}`,
      `LEARNING_RATE = ${pyNumber(config.learningRate)}`,
      ...(config.validationSplit > 0
        ? [`VALIDATION_SPLIT = ${pyNumber(config.validationSplit)}`]
        : []),
    ],
    loadData(config, net.input.outputShape),
    ...(config.augment && config.dataset === 'cifar10' ? [AUGMENT] : []),
    buildModel(doc, model, name),
    ...(config.schedule.kind !== 'constant' ? [schedule(config)] : []),
    mainFunction(config, probabilities, options.distribute ?? false),
    ["if __name__ == '__main__':", `${INDENT}main()`],
  ];
  return sections.map((s) => s.join('\n')).join('\n\n\n') + '\n';
}
