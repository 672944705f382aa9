// The runner's processes: one, or under DistributedDataParallel one per local rank, started as
// torchrun would start them (RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT), so that it
// works with Debian's PyTorch 1.13, whose torchrun crashes on Python 3.11. Rank 0's JSON lines
// are checked and relayed as the run's events; pause, resume and stop go to its stdin (it tells
// the other ranks). A process that dies takes the others down and is E_ENGINE_DIED.
import { createServer } from 'node:net';

import { isErrorCode, type CodedError } from '../../../shared/errors.ts';
import type { TrainRequest } from '../../../shared/engine-protocol.ts';
import { RunError, type RunContext } from '../run.ts';
import { RunnerLink, type RunnerMessage } from './runner-link.ts';

export type RunnerDone = Extract<RunnerMessage, { kind: 'done' }>;

/** A TCP port free on the loopback now, for a one-machine run's rendezvous. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 29500));
    });
  });
}

/** Each local process's environment: none for one process, torchrun's variables under DDP. */
async function workerEnvs(d: TrainRequest['distributed']): Promise<Record<string, string>[]> {
  if (!d || d.nprocPerNode * d.nnodes === 1) return [{}];
  const [addr, port] = d.master
    ? [d.master.slice(0, d.master.lastIndexOf(':')), d.master.slice(d.master.lastIndexOf(':') + 1)]
    : ['127.0.0.1', String(await freePort())];
  return Array.from({ length: d.nprocPerNode }, (_, local) => ({
    RANK: String(d.nodeRank * d.nprocPerNode + local),
    LOCAL_RANK: String(local),
    LOCAL_WORLD_SIZE: String(d.nprocPerNode),
    WORLD_SIZE: String(d.nnodes * d.nprocPerNode),
    MASTER_ADDR: addr,
    MASTER_PORT: port,
    // One process per core at most: oneDNN's threads on every core in every process fight.
    OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? '1',
  }));
}

/**
 * Runs the runner to its end: rank 0's 'done' (null on a machine without rank 0), or a RunError
 * for what it reported or how a process died.
 */
export async function superviseRunner(
  ctx: RunContext,
  o: { python: string; args: string[]; cwd: string; distributed: TrainRequest['distributed'] },
): Promise<RunnerDone | null> {
  const { control, emit } = ctx;
  const envs = await workerEnvs(o.distributed);
  const leads = (env: Record<string, string>) => (env.RANK ?? '0') === '0';
  let done: RunnerDone | null = null;
  let reported: CodedError | null = null;
  const links: RunnerLink[] = [];
  const killAll = () => links.forEach((l) => l.kill());
  for (const env of envs) {
    const lead = leads(env);
    const link = new RunnerLink(o.python, o.args, {
      cwd: o.cwd,
      env,
      onMessage: (m) => {
        if (!lead) return;
        if (m.kind === 'event') {
          if (m.event.type === 'batch') control.step = m.event.step;
          emit(m.event);
        } else if (m.kind === 'done') done = m;
        else reported ??= new RunError(isErrorCode(m.code) ? m.code : 'E_INTERNAL', m.message);
      },
      onBadLine: (why) => {
        reported ??= new RunError(
          'E_PROTOCOL',
          `The PyTorch runner sent a line Netforge cannot read (${why}). Its last checkpoint is kept.`,
        );
        killAll();
      },
    });
    links.push(link);
  }
  const leader = links.find((_, i) => leads(envs[i]!)) ?? null;
  // The run's pause / resume / stop (RunControl announces each as a status event) go to rank 0,
  // which acts on them between batches as the tfjs trainer does.
  const announce = control.onStatus;
  control.onStatus = (state, step) => {
    leader?.send({ type: state === 'paused' ? 'pause' : state === 'resumed' ? 'resume' : 'stop' });
    announce?.(state, step);
  };
  if (control.isPaused) leader?.send({ type: 'pause' });
  if (control.stopRequested) leader?.send({ type: 'stop' });
  // A failure to record the events (a full disk) ends the run, as in the tfjs trainer.
  const watch = setInterval(() => {
    if (ctx.writeFailure()) leader?.send({ type: 'stop' });
  }, 500);
  // The first process to fail takes the others down: they would wait for it until the timeout.
  let died: { link: RunnerLink; how: string; tail: string } | null = null;
  await Promise.all(
    links.map(async (link) => {
      const exit = await link.exited;
      if (exit.code === 0 || died) return;
      died = {
        link,
        how: exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`,
        tail: exit.stderrTail,
      };
      killAll();
    }),
  );
  clearInterval(watch);
  control.onStatus = announce;
  if (reported) throw reported;
  const failed = died as { link: RunnerLink; how: string; tail: string } | null;
  if (!failed && (done || !leader)) return done;
  const how = failed?.how ?? 'ended without a result';
  const tail = failed?.tail ? `: ${failed.tail.split('\n').slice(-3).join(' | ')}` : '';
  throw new RunError(
    'E_ENGINE_DIED',
    `The PyTorch runner (${o.python}, pid ${failed?.link.pid ?? leader?.pid}) stopped unexpectedly (${how})${tail}. ` +
      'Its last checkpoint is kept; continue the run to resume from it.',
  );
}
