// Entry point of the engine's own process (host/engine-host.ts starts it): takes EngineCommands
// from the parent over IPC, sends TrainingEvents back. One run at a time.
import { engineCommandSchema } from '../../shared/engine-protocol.ts';
import { type TrainingEvent } from '../../shared/events.ts';
import { isShutdown, READY } from '../host/child-protocol.ts';
import { hostChannel } from '../host/host-channel.ts';
import { RunControl } from './control.ts';
import { runEvaluation, runTraining } from './run.ts';

const host = hostChannel();
const send = (event: TrainingEvent): void => host.send({ kind: 'event', event });

let control: RunControl | null = null;
let busy = false;
let ending = false;

/**
 * Ends the process when the host asks (or is gone): a training in progress stops at its next
 * batch and saves its checkpoint first, as a stop command does. Without a host to send SIGKILL,
 * the process bounds that wait itself.
 */
function shutdown(): void {
  if (ending) return;
  ending = true;
  if (!busy || !control) process.exit(0);
  control.stop();
  setTimeout(() => process.exit(0), 30_000).unref();
}

async function handle(raw: unknown): Promise<void> {
  if (isShutdown(raw)) return shutdown();
  const parsed = engineCommandSchema.safeParse(raw);
  if (!parsed.success) {
    send({
      type: 'error',
      code: 'E_PROTOCOL',
      message: `The engine got a malformed command: ${parsed.error.message}`,
      checkpoint: null,
    });
    // The host counts a 'train' or 'evaluate' it sent as a job until 'idle'; a rejected one
    // never starts, so say so unless a real job is still running.
    if (!busy) host.send({ kind: 'idle' });
    return;
  }
  const cmd = parsed.data;
  if (cmd.type === 'pause' || cmd.type === 'resume' || cmd.type === 'stop') {
    // The run announces what took effect itself (RunControl.onStatus), at its current step.
    if (!control) return;
    if (cmd.type === 'stop') control.stop();
    else if (cmd.type === 'pause') control.pause();
    else control.resume();
    return;
  }
  if (busy) {
    send({
      type: 'error',
      code: 'E_BUSY',
      message: 'The engine is already running a job; stop it first.',
      checkpoint: null,
    });
    return;
  }
  busy = true;
  try {
    if (cmd.type === 'train') {
      control = new RunControl();
      await runTraining(cmd.request, send, control);
    } else {
      await runEvaluation(cmd.request, send);
    }
  } finally {
    busy = false;
    control = null;
    host.send({ kind: 'idle' });
    if (ending) process.exit(0);
  }
}

host.onMessage((m) => void handle(m));
host.onHostGone(shutdown);
// Only the host decides when the engine ends: the CLI answers the first Ctrl+C by asking the run
// to stop and save a checkpoint. The host starts the engine in a process group of its own
// (POSIX), out of reach of the terminal's Ctrl+C; this covers Windows, where every process on
// the console gets it.
process.on('SIGINT', () => {});
host.send(READY);
