// The graph document: what the editor edits, files store and the engine compiles.
import { z } from 'zod';

export const GRAPH_FORMAT = 'netforge-graph';
export const GRAPH_VERSION = 1;

export const DATASETS = ['mnist', 'cifar10'] as const;
export type DatasetName = (typeof DATASETS)[number];
export const DATASET_INFO: Record<
  DatasetName,
  { label: string; inputShape: number[]; classes: number }
> = {
  mnist: { label: 'MNIST', inputShape: [28, 28, 1], classes: 10 },
  cifar10: { label: 'CIFAR-10', inputShape: [32, 32, 3], classes: 10 },
};

const paramValue = z.union([
  z.number(),
  z.boolean(),
  z.string(),
  z.null(),
  z.array(z.number()),
  z.array(z.array(z.number())),
]);

export const graphNodeSchema = z.object({
  id: z.string().min(1),
  kind: z.string().min(1),
  /** Unique, readable, stable: becomes the tfjs / Keras layer name. */
  name: z
    .string()
    .regex(
      /^[A-Za-z][A-Za-z0-9_.-]*$/,
      'a name starts with a letter and holds letters, digits, _ . -',
    ),
  params: z.record(z.string(), paramValue),
  position: z.object({ x: z.number(), y: z.number() }),
  /** Set on layers made by expanding a block, so the block can be collapsed again. */
  block: z
    .object({
      id: z.string(),
      name: z.string(),
      kind: z.string(),
      params: z.record(z.string(), paramValue),
      /** Where the block was, and the room its layers took (collapsing gives it back). */
      origin: z.object({ x: z.number(), y: z.number() }).optional(),
      room: z
        .object({
          direction: z.enum(['down', 'right']),
          along: z.number(),
          before: z.number(),
          after: z.number(),
          span: z.number(),
        })
        .optional(),
    })
    .optional(),
});

export const graphEdgeSchema = z.object({
  id: z.string().min(1),
  source: z.string().min(1),
  target: z.string().min(1),
});

export const graphDocSchema = z.object({
  format: z.literal(GRAPH_FORMAT),
  version: z.literal(GRAPH_VERSION),
  name: z.string(),
  description: z.string().optional(),
  /** The dataset the network is meant for; a classifier's output must be [classes]. */
  dataset: z.enum(DATASETS).optional(),
  nodes: z.array(graphNodeSchema),
  /** Incoming edges of a node are its inputs in the order they appear here. */
  edges: z.array(graphEdgeSchema),
});

export type GraphNode = z.infer<typeof graphNodeSchema>;
export type GraphEdge = z.infer<typeof graphEdgeSchema>;
export type GraphDoc = z.infer<typeof graphDocSchema>;
export type Position = GraphNode['position'];

export function emptyGraph(name = 'Untitled', dataset?: DatasetName): GraphDoc {
  return {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    name,
    ...(dataset ? { dataset } : {}),
    nodes: [],
    edges: [],
  };
}
