// The training slice driven as the Training panel and the dashboard drive it, against a fake
// Host: a run started, followed, paused, stopped and continued, folded with the shared reducer
// into the same RunView the server replays; runs opened, followed from another window, deleted.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunDetail, RunEntry } from '../../src/shared/api.ts';
import type { TrainingEvent } from '../../src/shared/events.ts';
import { getTemplate } from '../../src/shared/templates/index.ts';
import { emptyRunView, MAX_BATCH_POINTS, reduceEvents, settleRun } from '../../src/shared/run.ts';
import { createStore } from '../../src/renderer/store/store.ts';
import {
  canContinueShown,
  canControl,
  isBusy,
  runError,
  shownPhase,
} from '../../src/renderer/store/training-selectors.ts';
import { deferred, ev, fakeHost, type FakeHost } from './fake-host.ts';

let store: ReturnType<typeof createStore>;
let fake: FakeHost;
const state = () => store.getState();
const graph = getTemplate('lenet5')!.build();
const config = { dataset: 'mnist' as const, epochs: 2, batchSize: 32 };

const entry = (runId: string, status: RunEntry['status']): RunEntry => ({
  runId,
  runDir: `/runs/${runId}`,
  name: 'LeNet-5',
  status,
  testAccuracy: null,
  startedAt: '2025-06-01T10:00:00.000Z',
});

const detail = (runId: string, status: RunEntry['status'], events: TrainingEvent[]): RunDetail => {
  const view = reduceEvents(emptyRunView, events);
  const active = status === 'running' || status === 'paused';
  return {
    entry: entry(runId, status),
    graph,
    config: null,
    dataDir: null,
    view: active ? view : settleRun(view),
    exports: [],
  };
};

/** A whole two-epoch run of `steps` batches per epoch. */
function wholeRun(steps: number): TrainingEvent[] {
  const events: TrainingEvent[] = [ev.backend(), ev.started(2, steps)];
  for (let step = 1; step <= 2 * steps; step++) {
    events.push(ev.batch(step, steps));
    if (step % steps === 0)
      events.push(ev.epoch(step / steps, step), ev.checkpoint(step / steps, step));
  }
  events.push(ev.evaluation(), ev.finished('completed', 2 * steps));
  return events;
}

beforeEach(() => {
  store = createStore();
  fake = fakeHost({ 'runs.list': () => [] });
});
afterEach(() => vi.useRealTimers());

describe('a run started from the Training panel', () => {
  it('folds its events, early ones too, into the view the server replays', async () => {
    const answer = deferred<{ runId: string; runDir: string }>();
    fake.handlers['train.start'] = () => answer.promise;
    const events = wholeRun(1500); // more batches than a view keeps: they are thinned
    const starting = state().startRun(fake.host, graph, config, '');
    expect(shownPhase(state())).toBe('starting');
    expect(state().centre).toBe('dashboard');
    expect(isBusy(state())).toBe(true);
    expect(canControl(state())).toBe(false); // no run id yet

    // The engine's first events can arrive before train.start answers.
    fake.push('r1', events[0]!);
    fake.push('r1', events[1]!);
    answer.resolve({ runId: 'r1', runDir: '/runs/r1' });
    await starting;
    expect(state().run?.runId).toBe('r1');
    expect(state().run?.view.info?.epochs).toBe(2);
    expect(canControl(state())).toBe(true);

    for (const e of events.slice(2)) fake.push('r1', e);
    const view = state().run!.view;
    expect(view).toEqual(reduceEvents(emptyRunView, events));
    expect(view.batches.length).toBeLessThanOrEqual(MAX_BATCH_POINTS);
    expect(shownPhase(state())).toBe('finished');
    expect(isBusy(state())).toBe(false);
    expect(runError(state().run)).toBeNull();
    // The runs list follows the run's start and end.
    expect(fake.calls.filter((c) => c.method === 'runs.list').length).toBeGreaterThan(0);
  });

  it('folds batch events once per frame, and any other event at once after them', async () => {
    vi.useFakeTimers();
    fake.handlers['train.start'] = () => ({ runId: 'r1', runDir: '/runs/r1' });
    await state().startRun(fake.host, graph, config, '');
    fake.push('r1', ev.backend());
    fake.push('r1', ev.started(1, 100));
    let folds = 0;
    const off = store.subscribe((s, before) => {
      if (s.run?.view !== before.run?.view) folds++;
    });
    for (let step = 1; step <= 50; step++) fake.push('r1', ev.batch(step, 100));
    expect(folds).toBe(0);
    await vi.advanceTimersByTimeAsync(300);
    expect(folds).toBe(1);
    expect(state().run?.view.batches).toHaveLength(50);
    fake.push('r1', ev.batch(51, 100));
    fake.push('r1', ev.status('paused', 51));
    expect(folds).toBe(2); // the status event folded the batch before it, in one go
    expect(state().run?.view.last?.step).toBe(51);
    expect(shownPhase(state())).toBe('paused');
    off();
  });

  it("shows the engine's refusal as the run's error, and Start is free again", async () => {
    fake.handlers['train.start'] = () => {
      throw new Error('A training run (other) is already in progress.');
    };
    await state().startRun(fake.host, graph, config, '');
    expect(shownPhase(state())).toBe('error');
    expect(runError(state().run)).toMatch(/already in progress/);
    expect(isBusy(state())).toBe(false);
  });

  it('pauses, resumes and stops through the engine; a refusal shows, the run goes on', async () => {
    fake.handlers['train.start'] = () => ({ runId: 'r1', runDir: '/runs/r1' });
    fake.handlers['train.pause'] = ({ runId }) => ({ runId });
    await state().startRun(fake.host, graph, config, '');
    fake.push('r1', ev.backend());
    fake.push('r1', ev.started(2, 10));
    await state().controlRun(fake.host, 'pause');
    expect(fake.calls.at(-1)).toEqual({ method: 'train.pause', params: { runId: 'r1' } });
    fake.push('r1', ev.status('paused', 3));
    expect(shownPhase(state())).toBe('paused');
    await state().controlRun(fake.host, 'stop'); // no answer in this test: refused
    expect(runError(state().run)).toMatch(/train\.stop/);
    expect(shownPhase(state())).toBe('paused');
  });
});

describe('continuing a stopped run', () => {
  const stopped = [
    ev.backend(),
    ev.started(2, 10),
    ...[1, 2, 3, 4, 5, 6].map((s) => ev.batch(s, 10)),
    ev.checkpoint(1, 6),
    ev.evaluation(),
    ev.finished('stopped', 6),
  ];

  it('drops its old ending at once and folds the new events onto its curves', async () => {
    fake.handlers['runs.get'] = () => detail('r1', 'stopped', stopped);
    fake.handlers['runs.continue'] = ({ runId }) => ({ runId, runDir: '/runs/r1' });
    await state().openRun(fake.host, 'r1');
    expect(state().run?.source).toBe('saved');
    expect(canContinueShown(state())).toBe(true);

    const going = state().continueRun(fake.host);
    expect(shownPhase(state())).toBe('starting');
    expect(state().run?.view.evaluation).toBeNull();
    expect(state().run?.view.batches).toHaveLength(6);
    expect(canControl(state())).toBe(false); // until runs.continue answers
    await going;
    const more = [ev.backend(), ev.started(2, 10, 6), ev.batch(7, 10), ev.evaluation()];
    more.push(ev.finished('completed', 20));
    for (const e of more) fake.push('r1', e);
    expect(state().run?.view).toEqual(reduceEvents(emptyRunView, [...stopped, ...more]));
    expect(canContinueShown(state())).toBe(false);
  });
});

describe('runs made elsewhere', () => {
  it('follows a run started in another window when it shows none, leaving the canvas', async () => {
    const events = [ev.backend(), ev.started(2, 10), ev.batch(1, 10)];
    fake.handlers['runs.get'] = () => detail('other', 'running', events);
    await state().attachToRuns(fake.host);
    expect(state().run).toBeNull();
    fake.push('other', events[1]!);
    await vi.waitFor(() => expect(state().run?.runId).toBe('other'));
    expect(state().run?.source).toBe('live');
    expect(state().centre).toBe('canvas');
    fake.push('other', ev.epoch(1, 10));
    expect(state().run?.view.epochs).toHaveLength(1);
  });

  it('re-attaches after a reload to the run in progress', async () => {
    fake.handlers['runs.list'] = () => [entry('done', 'completed'), entry('live', 'paused')];
    fake.handlers['runs.get'] = ({ runId }) =>
      detail(runId, 'paused', [ev.backend(), ev.started(2, 10), ev.status('paused', 0)]);
    await state().attachToRuns(fake.host);
    expect(state().run?.runId).toBe('live');
    expect(shownPhase(state())).toBe('paused');
    expect(canControl(state())).toBe(true);
  });

  it('does not follow a run another Netforge process trains (it is running elsewhere)', async () => {
    fake.handlers['runs.list'] = () => [{ ...entry('elsewhere', 'running'), owner: 'other' }];
    fake.handlers['runs.get'] = ({ runId }) =>
      detail(runId, 'running', [ev.backend(), ev.started(2, 10)]);
    await state().attachToRuns(fake.host);
    expect(state().run).toBeNull();
    expect(fake.calls.some((c) => c.method === 'runs.get')).toBe(false);
  });
});

describe("the Engine field's status", () => {
  const status = {
    torch: { available: false, reason: 'python3 has no torch', python: null, device: null },
    auto: { engine: 'tfjs', reason: 'python3 has no torch: using TensorFlow.js', ok: true },
    pinned: null,
  } as const;

  it('is asked once at start-up, without waiting for it', async () => {
    const answer = deferred<typeof status>();
    fake.handlers['engines.status'] = () => answer.promise;
    // attachToRuns does not wait for the answer (finding PyTorch can take seconds).
    await state().attachToRuns(fake.host);
    expect(state().enginesStatus).toBeNull();
    expect(fake.calls.filter((c) => c.method === 'engines.status')).toHaveLength(1);
    answer.resolve(status);
    await vi.waitFor(() => expect(state().enginesStatus).toEqual(status));
  });

  it('stays unknown when the server cannot say (the form works without it)', async () => {
    // No handler: the fake engine refuses the call, as an older server would.
    await state().attachToRuns(fake.host);
    await new Promise((r) => setTimeout(r, 0));
    expect(fake.calls.some((c) => c.method === 'engines.status')).toBe(true);
    expect(state().enginesStatus).toBeNull();
  });
});

describe('deleting a run', () => {
  it('asks first, and stops showing the run once it is gone', async () => {
    fake.handlers['runs.get'] = () => detail('r1', 'completed', wholeRun(3));
    fake.handlers['runs.delete'] = ({ runId }) => ({ runId });
    await state().openRun(fake.host, 'r1');
    fake.answer = false;
    await state().deleteRun(fake.host, 'r1');
    expect(fake.questions[0]).toMatch(/Delete the run r1/);
    expect(fake.calls.some((c) => c.method === 'runs.delete')).toBe(false);
    fake.answer = true;
    await state().deleteRun(fake.host, 'r1');
    expect(fake.calls.some((c) => c.method === 'runs.delete')).toBe(true);
    expect(state().run).toBeNull();
  });
});
