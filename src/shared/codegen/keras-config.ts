// Keras 2 (tf.keras 2.15) JSON for a Keras HDF5 file: model_config (every layer's full config, as
// Layer.get_config() writes it, with Keras 2 inbound nodes) and training_config (loss, metrics and
// the optimizer of the run). keras.models.load_model reads both; Keras 3 reads them through its
// legacy HDF5 loader.
import type { TrainConfig } from '../train-config.ts';
import type { KerasLayer, KerasModel } from './keras-layers.ts';

export const KERAS_VERSION = '2.15.0';

export type Json = number | boolean | string | null | Json[] | { [key: string]: Json };

const init = (className: string, config: Record<string, Json> = {}): Json => ({
  class_name: className,
  config,
});
const GLOROT = init('GlorotUniform', { seed: null });
const ZEROS = init('Zeros');
const ONES = init('Ones');

const CONV: Record<string, Json> = {
  strides: [1, 1],
  padding: 'valid',
  data_format: 'channels_last',
  dilation_rate: [1, 1],
  groups: 1,
  activation: 'linear',
  use_bias: true,
};
const KERNEL: Record<string, Json> = {
  kernel_initializer: GLOROT,
  bias_initializer: ZEROS,
  kernel_regularizer: null,
  bias_regularizer: null,
  activity_regularizer: null,
  kernel_constraint: null,
  bias_constraint: null,
};
const POOL: Record<string, Json> = {
  pool_size: [2, 2],
  padding: 'valid',
  strides: null,
  data_format: 'channels_last',
};

/**
 * Keras's defaults for every argument of each class, in get_config()'s order. Arguments without
 * a default (filters, units, kernel_size, rate) come from the layer itself. The script generator
 * leaves out arguments equal to these.
 */
export const KERAS_DEFAULTS: Record<string, Record<string, Json>> = {
  InputLayer: { dtype: 'float32', sparse: false, ragged: false },
  Dense: { activation: 'linear', use_bias: true, ...KERNEL },
  Conv2D: { ...CONV, ...KERNEL },
  Conv2DTranspose: { ...CONV, ...KERNEL, output_padding: null },
  DepthwiseConv2D: {
    ...CONV,
    bias_initializer: ZEROS,
    bias_regularizer: null,
    activity_regularizer: null,
    bias_constraint: null,
    depth_multiplier: 1,
    depthwise_initializer: GLOROT,
    depthwise_regularizer: null,
    depthwise_constraint: null,
  },
  SeparableConv2D: {
    ...CONV,
    depth_multiplier: 1,
    depthwise_initializer: GLOROT,
    pointwise_initializer: GLOROT,
    bias_initializer: ZEROS,
    depthwise_regularizer: null,
    pointwise_regularizer: null,
    bias_regularizer: null,
    activity_regularizer: null,
    depthwise_constraint: null,
    pointwise_constraint: null,
    bias_constraint: null,
  },
  ZeroPadding2D: { padding: [1, 1], data_format: 'channels_last' },
  MaxPooling2D: POOL,
  AveragePooling2D: POOL,
  GlobalAveragePooling2D: { data_format: 'channels_last', keepdims: false },
  BatchNormalization: {
    axis: -1,
    momentum: 0.99,
    epsilon: 0.001,
    center: true,
    scale: true,
    beta_initializer: ZEROS,
    gamma_initializer: ONES,
    moving_mean_initializer: ZEROS,
    moving_variance_initializer: ONES,
    beta_regularizer: null,
    gamma_regularizer: null,
    beta_constraint: null,
    gamma_constraint: null,
  },
  Activation: { activation: 'linear' },
  ReLU: { max_value: null, negative_slope: 0, threshold: 0 },
  LeakyReLU: { alpha: 0.3 },
  Flatten: { data_format: 'channels_last' },
  Dropout: { noise_shape: null, seed: null },
  Add: {},
  Concatenate: { axis: -1 },
};

/** A layer's config as Keras 2's get_config() writes it. */
export function layerConfig(layer: KerasLayer): Record<string, Json> {
  const defaults = KERAS_DEFAULTS[layer.className];
  if (!defaults) throw new Error(`No Keras config for ${layer.className}`);
  if (layer.className === 'InputLayer')
    return {
      batch_input_shape: [null, ...(layer.args.shape as number[])],
      ...defaults,
      name: layer.name,
    };
  const config: Record<string, Json> = { name: layer.name, trainable: true, dtype: 'float32' };
  for (const [k, v] of Object.entries(layer.args)) if (!(k in defaults)) config[k] = v;
  for (const [k, v] of Object.entries(defaults)) config[k] = k in layer.args ? layer.args[k]! : v;
  return config;
}

/** The root attribute model_config: a Sequential model for a plain chain, else Functional. */
export function modelConfig(model: KerasModel, name: string): Json {
  // Keras ignores inbound_nodes in a Sequential model's layers; they are written there as well,
  // so that every reader finds the wiring in the same place.
  const layers = model.layers.map((l) => ({
    class_name: l.className,
    config: layerConfig(l),
    name: l.name,
    inbound_nodes: l.inputs.length ? [l.inputs.map((n) => [n, 0, 0, {}])] : [],
  }));
  if (model.sequential) return { class_name: 'Sequential', config: { name, layers } };
  return {
    class_name: 'Functional',
    config: {
      name,
      trainable: true,
      layers,
      input_layers: [[model.input.name, 0, 0]],
      output_layers: [[model.output.name, 0, 0]],
    },
  };
}

/** The optimizer of a run as Keras 2.11+ configures it (tfjs's defaults are Keras's). */
function optimizerConfig(c: TrainConfig): Json {
  const base = {
    weight_decay: null,
    clipnorm: null,
    global_clipnorm: null,
    clipvalue: null,
    use_ema: false,
    ema_momentum: 0.99,
    ema_overwrite_frequency: null,
    jit_compile: false,
    is_legacy_optimizer: false,
    learning_rate: c.learningRate,
  };
  switch (c.optimizer) {
    case 'sgd':
      return init('SGD', { name: 'SGD', ...base, momentum: c.momentum, nesterov: false });
    case 'adam':
      return init('Adam', {
        name: 'Adam',
        ...base,
        beta_1: 0.9,
        beta_2: 0.999,
        epsilon: 1e-7,
        amsgrad: false,
      });
    case 'rmsprop':
      return init('RMSprop', {
        name: 'RMSprop',
        ...base,
        rho: 0.9,
        momentum: 0,
        epsilon: 1e-7,
        centered: false,
      });
    case 'adagrad':
      return init('Adagrad', {
        name: 'Adagrad',
        ...base,
        initial_accumulator_value: 0.1,
        epsilon: 1e-7,
      });
  }
}

/**
 * The root attribute training_config: what model.compile() was given. `probabilities` says the
 * network ends in softmax; otherwise it emits logits and the loss takes them (from_logits).
 * The learning rate is the run's base rate; a schedule is a callback, not part of compile().
 */
export function trainingConfig(c: TrainConfig, probabilities: boolean): Json {
  return {
    loss: init('CategoricalCrossentropy', {
      reduction: 'auto',
      name: 'categorical_crossentropy',
      from_logits: !probabilities,
      label_smoothing: 0,
      axis: -1,
    }),
    metrics: ['accuracy'],
    weighted_metrics: null,
    loss_weights: null,
    optimizer_config: optimizerConfig(c),
  };
}
