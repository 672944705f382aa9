// The PyTorch format: a folder with model.py (the generated nn.Module), weights.pt (its
// state_dict, written without Python), train.py (torchrun-ready) and README.txt.
import { pytorchUnsupported } from '../codegen/pytorch.ts';
import { declareFormat } from './formats.ts';

export const pytorchFormat = declareFormat({
  id: 'pytorch',
  label: 'PyTorch (model.py, weights.pt, train.py)',
  output: 'folder',
  suggestedName: (modelName) => `${modelName}-pytorch`,
  opensWith: 'PyTorch 1.13 or 2.x: torch.load + model.py; train.py under python3 or torchrun',
  weights: true,
  unsupported: pytorchUnsupported,
});
