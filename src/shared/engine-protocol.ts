// The engine process's protocol: the commands its host sends it (train, evaluate, pause,
// resume, stop). Its answers are TrainingEvents (events.ts).
import { z } from 'zod';
import { BACKENDS } from './events.ts';
import { graphDocSchema } from './graph/types.ts';
import { trainConfigSchema } from './train-config.ts';

export const trainRequestSchema = z.object({
  graph: graphDocSchema,
  config: trainConfigSchema,
  /** Folder for this run's files; created if missing. */
  runDir: z.string().min(1),
  dataDir: z.string().nullable().default(null),
  cacheDir: z.string().nullable().default(null),
  backend: z.enum(BACKENDS).nullable().default(null),
  /** Continue from the run folder's last checkpoint. */
  resume: z.boolean().default(false),
  /** The Python interpreter for the PyTorch engine; null: $NETFORGE_PYTHON, python3, /usr/bin/python3. */
  python: z.string().min(1).nullable().default(null),
  /**
   * The torch engine under DistributedDataParallel: this machine starts `nprocPerNode` processes
   * (ranks nodeRank * nprocPerNode + 0..n-1 of nnodes * nprocPerNode) meeting at `master`
   * (host:port; default 127.0.0.1 and a free port on one machine). The node of rank 0 streams
   * the events and writes the run folder.
   */
  distributed: z
    .object({
      nprocPerNode: z.number().int().min(1).max(1024),
      nnodes: z.number().int().min(1).default(1),
      nodeRank: z.number().int().min(0).default(0),
      master: z.string().min(1).nullable().default(null),
    })
    .refine((d) => d.nodeRank < d.nnodes, { message: 'nodeRank must be below nnodes' })
    .nullable()
    .default(null),
});
export type TrainRequest = z.infer<typeof trainRequestSchema>;
export type TrainRequestInput = z.input<typeof trainRequestSchema>;

export const evaluateRequestSchema = z.object({
  runDir: z.string().min(1),
  dataDir: z.string().nullable().default(null),
  cacheDir: z.string().nullable().default(null),
  backend: z.enum(BACKENDS).nullable().default(null),
  limitTest: z.number().int().min(1).nullable().default(null),
});
export type EvaluateRequest = z.infer<typeof evaluateRequestSchema>;

export const engineCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('train'), request: trainRequestSchema }),
  z.object({ type: z.literal('evaluate'), request: evaluateRequestSchema }),
  z.object({ type: z.literal('pause') }),
  z.object({ type: z.literal('resume') }),
  z.object({ type: z.literal('stop') }),
]);
export type EngineCommand = z.infer<typeof engineCommandSchema>;
