// Keras HDF5: the trained network as one .h5 file that tf.keras's load_model opens (model_config,
// training_config and the weights). What Keras cannot express is declared in codegen/keras-layers.ts.
import { kerasUnsupported } from '../codegen/keras-layers.ts';
import { declareFormat } from './formats.ts';

export const kerasH5 = declareFormat({
  id: 'keras-h5',
  label: 'Keras HDF5 (.h5)',
  output: 'file',
  suggestedName: (modelName) => `${modelName}.h5`,
  opensWith: 'TensorFlow 2 / Keras (tf.keras.models.load_model), and any HDF5 reader such as h5py',
  weights: true,
  unsupported: kerasUnsupported,
});
