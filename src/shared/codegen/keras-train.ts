// The data and training half of the Keras script (codegen/keras.ts): loading the dataset with
// Netforge's normalisation, augmentation, the learning-rate schedule, the optimizer, and main()
// that compiles, fits with the run's settings and evaluates.
import { DATASET_INFO } from '../graph/types.ts';
import type { TrainConfig } from '../train-config.ts';
import { pyNumber, pyString } from './python.ts';

export const INDENT = '    ';

export function loadData(c: TrainConfig, shape: number[]): string[] {
  const mnist = c.dataset === 'mnist';
  const scale = mnist ? '/ 255.0' : '/ 127.5 - 1.0';
  const dims = `(-1, ${shape.join(', ')})`;
  const limit = (split: string, n: number | null) =>
    n === null ? [] : [`${INDENT}x_${split}, y_${split} = x_${split}[:${n}], y_${split}[:${n}]`];
  return [
    'def load_data():',
    `${INDENT}"""${mnist ? 'MNIST' : 'CIFAR-10'} as Netforge feeds it: ${mnist ? 'pixels / 255 (chapter 10.4)' : 'pixels scaled to [-1, 1] (chapter 10.10)'}, one-hot labels."""`,
    `${INDENT}(x_train, y_train), (x_test, y_test) = keras.datasets.${c.dataset}.load_data()`,
    ...(c.limitTrain || c.limitTest
      ? [`${INDENT}# The run used only the first samples of each split.`]
      : []),
    ...limit('train', c.limitTrain),
    ...limit('test', c.limitTest),
    `${INDENT}x_train = x_train.reshape(${dims}).astype('float32') ${scale}`,
    `${INDENT}x_test = x_test.reshape(${dims}).astype('float32') ${scale}`,
    `${INDENT}y_train = keras.utils.to_categorical(y_train, ${DATASET_INFO[c.dataset].classes})`,
    `${INDENT}y_test = keras.utils.to_categorical(y_test, ${DATASET_INFO[c.dataset].classes})`,
    `${INDENT}return (x_train, y_train), (x_test, y_test)`,
  ];
}

export const AUGMENT = [
  'def augment(image, label):',
  `${INDENT}"""Netforge's CIFAR-10 augmentation: a shift of up to 4 pixels (black border: -1 once`,
  `${INDENT}scaled) and a left-right flip half of the time."""`,
  `${INDENT}image = tf.pad(image, [[4, 4], [4, 4], [0, 0]], constant_values=-1.0)`,
  `${INDENT}image = tf.image.random_crop(image, tf.shape(image) - [8, 8, 0])`,
  `${INDENT}image = tf.image.random_flip_left_right(image)`,
  `${INDENT}return image, label`,
];

/** Per epoch (counted from 0), as Netforge's schedules (engine/schedule.ts) compute it. */
export function schedule(c: TrainConfig): string[] {
  const s = c.schedule;
  const rate =
    s.kind === 'step'
      ? `LEARNING_RATE * ${pyNumber(s.factor)} ** (epoch // ${s.everyEpochs})`
      : s.kind === 'exponential'
        ? `LEARNING_RATE * ${pyNumber(s.rate)} ** epoch`
        : s.kind === 'cosine'
          ? `${s.minLr > 0 ? `${pyNumber(s.minLr)} + (LEARNING_RATE - ${pyNumber(s.minLr)})` : 'LEARNING_RATE'} * 0.5 * (1 + math.cos(math.pi * (epoch / (EPOCHS - 1) if EPOCHS > 1 else 0)))`
          : null;
  if (!rate) return [];
  const what = `${s.kind} decay`;
  return [
    'def learning_rate(epoch):',
    `${INDENT}"""The learning rate of each epoch: ${what}."""`,
    `${INDENT}return ${rate}`,
  ];
}

function optimizer(c: TrainConfig): string {
  switch (c.optimizer) {
    case 'sgd':
      return `keras.optimizers.SGD(learning_rate=LEARNING_RATE${c.momentum > 0 ? `, momentum=${pyNumber(c.momentum)}` : ''})`;
    case 'adam':
      return 'keras.optimizers.Adam(learning_rate=LEARNING_RATE)';
    case 'rmsprop':
      return 'keras.optimizers.RMSprop(learning_rate=LEARNING_RATE)';
    case 'adagrad':
      return 'keras.optimizers.Adagrad(learning_rate=LEARNING_RATE)';
  }
}

export function mainFunction(
  c: TrainConfig,
  probabilities: boolean,
  distribute: boolean,
): string[] {
  const val = c.validationSplit > 0;
  const augment = c.augment && c.dataset === 'cifar10';
  const setup = [
    'model = build_model()',
    'model.compile(',
    `${INDENT}optimizer=${optimizer(c)},`,
    `${INDENT}loss=keras.losses.CategoricalCrossentropy(from_logits=${probabilities ? 'False' : 'True'}),`,
    `${INDENT}metrics=['accuracy'],`,
    ')',
  ];
  const callbacks = [
    ...(c.schedule.kind !== 'constant'
      ? ['keras.callbacks.LearningRateScheduler(learning_rate)']
      : []),
    ...(c.earlyStopping
      ? [
          `keras.callbacks.EarlyStopping(monitor=${pyString(val ? 'val_loss' : 'loss')}, patience=${c.earlyStopping.patience}, min_delta=${pyNumber(c.earlyStopping.minDelta)})`,
        ]
      : []),
  ];
  const fitData = augment
    ? ['train,']
    : ['x_train,', 'y_train,', 'batch_size=BATCH_SIZE,', 'shuffle=True,'];
  const lines = [
    'keras.utils.set_random_seed(SEED)',
    '(x_train, y_train), (x_test, y_test) = load_data()',
    ...(val
      ? [
          '# Netforge holds out the last samples of the training set, as Keras does.',
          'n_val = int(len(x_train) * VALIDATION_SPLIT)',
          'x_train, x_val = x_train[:-n_val], x_train[-n_val:]',
          'y_train, y_val = y_train[:-n_val], y_train[-n_val:]',
        ]
      : []),
    ...(augment
      ? [
          'train = (',
          `${INDENT}tf.data.Dataset.from_tensor_slices((x_train, y_train))`,
          `${INDENT}.shuffle(len(x_train), seed=SEED)`,
          `${INDENT}.map(augment, num_parallel_calls=tf.data.AUTOTUNE)`,
          `${INDENT}.batch(BATCH_SIZE)`,
          `${INDENT}.prefetch(tf.data.AUTOTUNE)`,
          ')',
        ]
      : []),
    ...(distribute
      ? [
          '# MirroredStrategy trains on every GPU of this machine, splitting each batch of BATCH_SIZE',
          '# between them. For several machines use tf.distribute.MultiWorkerMirroredStrategy()',
          '# instead and start this script on each with TF_CONFIG set, e.g.',
          '# TF_CONFIG=\'{"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": "worker", "index": 0}}\'',
          'strategy = tf.distribute.MirroredStrategy()',
          "print('Replicas:', strategy.num_replicas_in_sync)",
          'with strategy.scope():',
          ...setup.map((s) => INDENT + s),
        ]
      : setup),
    'model.summary()',
    'model.fit(',
    ...fitData.map((s) => INDENT + s),
    `${INDENT}epochs=EPOCHS,`,
    ...(val ? [`${INDENT}validation_data=(x_val, y_val),`] : []),
    ...(callbacks.length
      ? [`${INDENT}callbacks=[`, ...callbacks.map((s) => `${INDENT}${INDENT}${s},`), `${INDENT}],`]
      : []),
    ')',
    'test_loss, test_accuracy = model.evaluate(x_test, y_test, batch_size=BATCH_SIZE)',
    "print(f'Test accuracy: {test_accuracy:.4f}, test loss: {test_loss:.4f}')",
  ];
  return ['def main():', ...lines.map((s) => INDENT + s)];
}

/** The run's settings in words, as lines of the docstring. */
export function describe(c: TrainConfig): string[] {
  const opt = { sgd: 'SGD', adam: 'Adam', rmsprop: 'RMSprop', adagrad: 'Adagrad' }[c.optimizer];
  const momentum = c.optimizer === 'sgd' && c.momentum > 0 ? `, momentum ${c.momentum}` : '';
  const parts = [
    DATASET_INFO[c.dataset].label,
    `${opt} (learning rate ${c.learningRate}${momentum}${c.schedule.kind === 'constant' ? '' : `, ${c.schedule.kind} schedule`})`,
    `batch size ${c.batchSize}`,
    `${c.epochs} epoch${c.epochs === 1 ? '' : 's'}`,
    ...(c.validationSplit > 0
      ? [`${Math.round(c.validationSplit * 1000) / 10}% held out for validation`]
      : []),
    ...(c.earlyStopping
      ? [`early stopping after ${c.earlyStopping.patience} epochs without improvement`]
      : []),
    ...(c.augment && c.dataset === 'cifar10' ? ['shift-and-flip augmentation'] : []),
  ];
  // Wrapped at 96 columns for the script's docstring.
  const lines: string[] = [];
  for (const word of `${parts.join(', ')}.`.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + word.length < 96)
      lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}
