// Keras script: one standalone Python file that rebuilds the network in Keras and trains it with
// the run's settings (optionally across GPUs with tf.distribute). It carries no weights.
import { kerasUnsupported } from '../codegen/keras-layers.ts';
import { declareFormat } from './formats.ts';

export const kerasPy = declareFormat({
  id: 'keras-py',
  label: 'Keras training script (.py)',
  output: 'file',
  suggestedName: (modelName) => `${modelName}.py`,
  opensWith: 'Python 3 with TensorFlow 2 (python3 <file>.py)',
  weights: false,
  unsupported: kerasUnsupported,
});
