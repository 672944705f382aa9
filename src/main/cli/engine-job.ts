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

/** Runs one engine job and returns the exit code: 0 unless it ended in an error. */
export async function runJob(
  send: (host: EngineHost) => Promise<void>,
  json: boolean,
): Promise<number> {
  const host = new EngineHost();
  const print = printer(json);
  let failed = false;
  host.onEvent((e) => {
    if (e.type === 'error') failed = true;
    print(e);
  });
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      console.error(
        '\nStopping after this batch (saving a checkpoint); press Ctrl+C again to abort.',
      );
      void host.send({ type: 'stop' });
    } else void host.close({ polite: false });
  };
  process.on('SIGINT', onSigint);
  try {
    await send(host);
    await host.whenIdle();
  } finally {
    process.off('SIGINT', onSigint);
    await host.close();
  }
  return failed ? 1 : 0;
}
