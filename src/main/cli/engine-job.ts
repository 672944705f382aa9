// What `netforge train` and `netforge evaluate` share: one job in the engine's own process
// (EngineHost), shown as a progress line on a terminal, as plain lines otherwise, or as JSON lines
// (--json); Ctrl+C asks the run to stop with a checkpoint, a second Ctrl+C aborts.
import type { TrainingEvent } from '../../shared/events.ts';
import { EngineHost } from '../host/engine-host.ts';

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`;
}

/** Human-readable rendering of events: one live line on a terminal, plain lines otherwise. */
function printer(json: boolean): (e: TrainingEvent) => void {
  const tty = process.stderr.isTTY;
  let live = false;
  const line = (s: string) => {
    if (live) process.stderr.write('\n');
    live = false;
    console.log(s);
  };
  return (e) => {
    if (json) {
      console.log(JSON.stringify(e));
      return;
    }
    switch (e.type) {
      case 'backend':
        line(`Backend: ${e.backend.backend} on ${e.backend.device} (${e.backend.reason})`);
        break;
      case 'dataset-progress':
        if (tty) {
          const pct = e.totalBytes
            ? ` ${((100 * e.receivedBytes) / e.totalBytes).toFixed(0)}%`
            : '';
          process.stderr.write(
            `\rDownloading ${e.file}${pct} (${(e.receivedBytes / 1e6).toFixed(1)} MB)   `,
          );
          live = true;
        }
        break;
      case 'run-started':
        line(
          `Training ${e.totalParams.toLocaleString('en-US')} parameters on ${e.trainSamples} samples` +
            `${e.validationSamples ? ` (+${e.validationSamples} validation)` : ''}, ${e.epochs} epochs of ${e.stepsPerEpoch} steps` +
            `${e.resumedFromStep !== null ? `, resuming at step ${e.resumedFromStep}` : ''}. Run folder: ${e.runDir}`,
        );
        for (const n of e.notes) line(`Note: ${n}`);
        break;
      case 'batch': {
        const text =
          `epoch ${e.epoch} ${e.batchInEpoch}/${e.stepsPerEpoch}  loss ${e.loss?.toFixed(4) ?? 'NaN'}  acc ${e.accuracy?.toFixed(3) ?? '?'}` +
          `  ${e.samplesPerSecond.toFixed(0)} samples/s  ETA ${fmtTime(e.etaSeconds)}`;
        if (tty) {
          const width = 20;
          const done = Math.round((width * e.batchInEpoch) / e.stepsPerEpoch);
          process.stderr.write(`\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${text}   `);
          live = true;
        }
        break;
      }
      case 'epoch':
        line(
          `epoch ${e.epoch}: loss ${e.loss?.toFixed(4)} acc ${e.accuracy?.toFixed(4)}` +
            `${e.valLoss !== null ? `  val_loss ${e.valLoss.toFixed(4)} val_acc ${e.valAccuracy?.toFixed(4)}` : ''}  lr ${e.learningRate}  ${fmtTime(e.seconds)}`,
        );
        break;
      case 'status':
        line(`(${e.state})`);
        break;
      case 'evaluation':
        line(
          `Test: loss ${e.evaluation.testLoss.toFixed(4)}, accuracy ${e.evaluation.testAccuracy.toFixed(4)} on ${e.evaluation.samples} images`,
        );
        break;
      case 'finished':
        line(
          `Finished (${e.status}) after ${e.epochs} epochs, ${e.step} steps, ${fmtTime(e.seconds)}. Test accuracy ${e.testAccuracy?.toFixed(4)}. Saved in ${e.runDir}`,
        );
        break;
      case 'error':
        line(
          `Error [${e.code}]: ${e.message}${e.checkpoint ? `\nLast good checkpoint: ${e.checkpoint}` : ''}`,
        );
        break;
      case 'checkpoint':
        break;
    }
  };
}

/** What Ctrl+C does to a job: see runJob. */
export type Interrupt =
  /** A training run: stop it with a checkpoint in this run folder. */
  | { kind: 'stop'; runDir: string }
  /** A job that writes nothing (evaluate): end it at once. */
  | { kind: 'end' };

/** " (epoch 2, 112 of 300 batches done)" for a step, from the run's steps per epoch. */
function where(step: number, stepsPerEpoch: number): string {
  if (stepsPerEpoch <= 0) return '';
  const epoch = Math.floor(step / stepsPerEpoch);
  const batch = step % stepsPerEpoch;
  return batch === 0
    ? ` (the end of epoch ${epoch})`
    : ` (epoch ${epoch + 1}, ${batch} of ${stepsPerEpoch} batches done)`;
}

/** The exit code of a job ended by Ctrl+C before it finished (128 + SIGINT, as shells use). */
export const INTERRUPTED = 130;

/**
 * Runs one engine job and returns the exit code: 0 unless it ended in an error or was ended by
 * Ctrl+C. The engine runs in a process group of its own and ignores SIGINT, so the terminal's
 * Ctrl+C reaches only this process, which decides (`interrupt`): a training run stops at its next
 * batch and saves a checkpoint at that exact step, a second Ctrl+C ends the engine at once; a job
 * that writes nothing is ended at once. What was kept is said when it happened, not promised.
 */
export async function runJob(
  send: (host: EngineHost) => Promise<void>,
  json: boolean,
  interrupt: Interrupt,
): Promise<number> {
  const host = new EngineHost();
  const print = printer(json);
  let failed = false;
  let interrupts = 0;
  let ended = false;
  const say = (s: string) => console.error(s);
  let stepsPerEpoch = 0;
  let checkpoint: { step: number; path: string } | null = null;
  host.onEvent((e) => {
    if (e.type === 'error') failed = true;
    print(e);
    if (e.type === 'run-started') stepsPerEpoch = e.stepsPerEpoch;
    if (e.type === 'checkpoint' && e.kind === 'last') checkpoint = { step: e.step, path: e.path };
    if (interrupts === 0 || interrupt.kind !== 'stop' || e.type !== 'finished') return;
    if (e.status !== 'stopped')
      say(`The run had finished training before the stop took effect; it ended ${e.status}.`);
    else if (checkpoint?.step === e.step)
      say(
        `Stopped at step ${e.step}${where(e.step, stepsPerEpoch)}; its checkpoint is in ${checkpoint.path}.\n` +
          `Continue the run from that step with: netforge train --resume ${interrupt.runDir}`,
      );
    else
      say(
        `Stopped at step ${e.step}, but the last checkpoint is ${checkpoint ? `at step ${checkpoint.step}` : 'missing'}: ` +
          '--resume continues from there.',
      );
  });
  const onSigint = () => {
    interrupts++;
    if (interrupt.kind === 'end' || interrupts > 1) {
      ended = true;
      if (interrupt.kind === 'end') say('\nEnding (Ctrl+C); nothing was written.');
      else
        say(
          checkpoint
            ? `\nAborting (second Ctrl+C). The checkpoint saved at step ${checkpoint.step} is kept: --resume continues from it.`
            : '\nAborting (second Ctrl+C) before a checkpoint was saved here: --resume can continue ' +
                'only from one saved before this command (each epoch and each stop saves one).',
        );
      void host.close({ polite: false });
      return;
    }
    say(
      '\nStopping after this batch (Ctrl+C): the run saves a checkpoint at the step it reached, ' +
        'then evaluates the model on the test set. Press Ctrl+C again to abort without waiting.',
    );
    void host.send({ type: 'stop' });
  };
  process.on('SIGINT', onSigint);
  try {
    await send(host);
    await host.whenIdle();
  } finally {
    process.off('SIGINT', onSigint);
    await host.close();
  }
  return ended ? INTERRUPTED : failed ? 1 : 0;
}
