// Worker-thread side of the data-parallel trainer: builds a replica from the
// graph document, takes the caller's weights and optimizer state, then runs
// steps as the shared control words say (blocking on Atomics.wait between them).
import { parentPort, workerData } from 'node:worker_threads';
import type { BackendName } from '../../../shared/events.ts';
import type { GraphDoc } from '../../../shared/graph/types.ts';
import { selectBackend, tf } from '../backend.ts';
import { compileGraph } from '../compile.ts';
import { makeOptimizer } from '../optimizer.ts';
import { CMD_DUMP, CMD_STOP, CTRL, type OptimizerSpec, type SharedBuffers } from './layout.ts';
import { Replica } from './replica.ts';

export interface WorkerInit {
  graph: GraphDoc;
  backend: BackendName;
  optimizer: OptimizerSpec;
  probabilities: boolean;
  buffers: SharedBuffers;
  rank: number;
  replicas: number;
  inputShape: number[];
  classes: number;
  /** model.getWeights() of the caller's replica, in order. */
  weights: { shape: number[]; values: Float32Array }[];
  /** optimizer.getWeights() of the caller's replica. */
  optimizerWeights: { name: string; shape: number[]; values: Float32Array }[];
}

export type WorkerMessage =
  | { type: 'ready'; params: number }
  | { type: 'error'; message: string }
  | { type: 'weights'; weights: Float32Array[] };

const init = workerData as WorkerInit;
const port = parentPort!;
const ctrl = new Int32Array(init.buffers.ctrl);

function fail(e: unknown): void {
  port.postMessage({ type: 'error', message: String((e as Error)?.stack ?? e) } as WorkerMessage);
  Atomics.store(ctrl, CTRL.ERROR, 1);
  Atomics.notify(ctrl, CTRL.ARRIVED);
  Atomics.notify(ctrl, CTRL.APPLIED);
}

async function main(): Promise<void> {
  await selectBackend(init.backend);
  const model = compileGraph(tf, init.graph);
  model.setWeights(init.weights.map((w) => tf.tensor(w.values, w.shape, 'float32')));
  const optimizer = makeOptimizer(tf, {
    optimizer: init.optimizer.optimizer,
    learningRate: init.optimizer.learningRate,
    momentum: init.optimizer.momentum ?? 0,
  } as Parameters<typeof makeOptimizer>[1]);
  if (init.optimizerWeights.length)
    await optimizer.setWeights(
      init.optimizerWeights.map((w) => ({
        name: w.name,
        tensor: tf.tensor(w.values, w.shape, 'float32'),
      })),
    );
  const replica = new Replica({
    tf,
    model,
    optimizer,
    probabilities: init.probabilities,
    buffers: init.buffers,
    rank: init.rank,
    replicas: init.replicas,
    inputShape: init.inputShape,
    classes: init.classes,
  });
  port.postMessage({ type: 'ready', params: replica.params } as WorkerMessage);
  let seq = 0;
  let steps = 0;
  for (;;) {
    Atomics.wait(ctrl, CTRL.SEQ, seq);
    const next = Atomics.load(ctrl, CTRL.SEQ);
    if (next === seq) continue;
    seq = next;
    const cmd = Atomics.load(ctrl, CTRL.CMD);
    if (cmd === CMD_STOP) break;
    if (cmd === CMD_DUMP) {
      port.postMessage({
        type: 'weights',
        weights: model.getWeights().map((w) => w.dataSync() as Float32Array),
      } as WorkerMessage);
      continue;
    }
    replica.step(++steps);
  }
  model.dispose();
  optimizer.dispose();
}

process.on('uncaughtException', fail);
main().catch(fail);
