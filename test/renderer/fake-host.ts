// A Host for the renderer's store under Node: an engine that answers from a table of handlers
// and pushes the events a test gives it, and a confirm() that records its questions.
import type { EventPush, Method, ParamsInput, Result } from '../../src/shared/api.ts';
import type { TrainingEvent } from '../../src/shared/events.ts';
import {
  EngineError,
  type EngineClient,
  type TrainingEventListener,
} from '../../src/renderer/engine/client.ts';
import type { Host } from '../../src/renderer/host/host.ts';

type Handlers = {
  [M in Method]?: (params: ParamsInput<M>) => Result<M> | Promise<Result<M>>;
};

export interface FakeHost {
  host: Host;
  /** Every call made, in order. */
  calls: { method: Method; params: unknown }[];
  /** What confirm() was asked. */
  questions: string[];
  /** Pushes one event of `runId` to the listeners, as the server does. */
  push(runId: string, event: TrainingEvent): void;
  handlers: Handlers;
  /** The answer confirm() gives. */
  answer: boolean;
}

export function fakeHost(handlers: Handlers = {}): FakeHost {
  const listeners = new Set<TrainingEventListener>();
  const fake: FakeHost = {
    calls: [],
    questions: [],
    handlers,
    answer: true,
    push(runId, event) {
      const push: EventPush = { type: 'event', runId, event };
      for (const l of listeners) l(push);
    },
    host: undefined as unknown as Host,
  };
  const engine: EngineClient = {
    transport: 'websocket',
    async call<M extends Method>(method: M, params: ParamsInput<M>): Promise<Result<M>> {
      fake.calls.push({ method, params });
      const handler = fake.handlers[method] as
        ((p: ParamsInput<M>) => Result<M> | Promise<Result<M>>) | undefined;
      if (!handler) throw new EngineError('E_NOT_FOUND', `No answer to ${method} in this test.`);
      return handler(params);
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    close() {},
  };
  fake.host = {
    engine,
    confirm: (message) => {
      fake.questions.push(message);
      return fake.answer;
    },
    desktop: false,
  };
  return fake;
}

/** A promise and the functions that settle it. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const backend = { backend: 'wasm', device: 'CPU', reason: 'test' } as const;

export const ev = {
  backend: (): TrainingEvent => ({ type: 'backend', backend }),
  started: (epochs: number, stepsPerEpoch: number, resumedFromStep: number | null = null) =>
    ({
      type: 'run-started',
      runDir: '/runs/r',
      backend,
      totalParams: 100,
      trainSamples: 320,
      validationSamples: 0,
      testSamples: 50,
      stepsPerEpoch,
      epochs,
      resumedFromStep,
      notes: [],
    }) satisfies TrainingEvent,
  batch: (step: number, stepsPerEpoch: number, loss = 1 / step): TrainingEvent => ({
    type: 'batch',
    epoch: Math.ceil(step / stepsPerEpoch),
    step,
    batchInEpoch: ((step - 1) % stepsPerEpoch) + 1,
    stepsPerEpoch,
    loss,
    accuracy: 0.5,
    learningRate: 0.01,
    samplesPerSecond: 100,
    etaSeconds: 3,
  }),
  epoch: (epoch: number, step: number): TrainingEvent => ({
    type: 'epoch',
    epoch,
    step,
    loss: 1 / epoch,
    accuracy: 0.5,
    valLoss: null,
    valAccuracy: null,
    learningRate: 0.01,
    seconds: 1,
  }),
  checkpoint: (epoch: number, step: number): TrainingEvent => ({
    type: 'checkpoint',
    kind: 'last',
    epoch,
    step,
    path: '/runs/r/checkpoints/last',
  }),
  status: (state: 'paused' | 'resumed' | 'stopping', step: number): TrainingEvent => ({
    type: 'status',
    state,
    step,
  }),
  evaluation: (): TrainingEvent => ({
    type: 'evaluation',
    evaluation: {
      testLoss: 0.5,
      testAccuracy: 0.9,
      samples: 50,
      classNames: ['a', 'b'],
      confusion: [
        [20, 5],
        [0, 25],
      ],
      perClassAccuracy: [0.8, 1],
      misclassified: [],
      correct: [],
    },
  }),
  finished: (status: 'completed' | 'stopped', step: number): TrainingEvent => ({
    type: 'finished',
    status,
    runDir: '/runs/r',
    epochs: 2,
    step,
    seconds: 3,
    testAccuracy: 0.9,
    testLoss: 0.5,
  }),
};
