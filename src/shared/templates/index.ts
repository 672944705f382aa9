// The template gallery, in the order the chapter introduces the networks.
import type { Template } from './template.ts';
import { mlp } from './mlp.ts';
import { lenet5 } from './lenet5.ts';
import { lenet5Bn } from './lenet5-bn.ts';
import { alexnet } from './alexnet.ts';
import { inception } from './inception.ts';
import { vgg13 } from './vgg13.ts';
import { cifarSmall } from './cifar-small.ts';
import { densenet } from './densenet.ts';
import { resnet18, resnet34 } from './resnet.ts';
import { resnet152 } from './resnet152.ts';
import { densenet121 } from './densenet121.ts';

export type { Template };

export const TEMPLATES: readonly Template[] = [
  mlp,
  lenet5,
  alexnet,
  inception,
  lenet5Bn,
  cifarSmall,
  vgg13,
  densenet,
  resnet18,
  resnet34,
  densenet121,
  resnet152,
];

export function getTemplate(id: string): Template | undefined {
  return TEMPLATES.find((t) => t.id === id.toLowerCase());
}
