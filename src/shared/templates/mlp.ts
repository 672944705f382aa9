import { GraphBuilder } from '../graph/builder.ts';
import type { Template } from './template.ts';

export const mlp: Template = {
  id: 'mlp',
  title: 'MLP',
  section: '10.1 Fully connected network',
  dataset: 'mnist',
  description:
    'Three Dense 256 ReLU layers and a Dense 10 on flattened MNIST digits (335,114 parameters).',
  build: () => {
    const g = new GraphBuilder('MLP', 'mnist', mlp.description);
    g.chain(g.input([28, 28, 1]), [
      ['flatten'],
      ['dense', { units: 256, activation: 'relu' }],
      ['dense', { units: 256, activation: 'relu' }],
      ['dense', { units: 256, activation: 'relu' }],
      ['dense', { units: 10 }],
    ]);
    return g.build();
  },
};
