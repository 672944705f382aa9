// The Python runner as a child process: its stdout read as JSON lines (each checked with a zod
// schema; anything else is a protocol error), control commands written to its stdin, the last
// lines of its stderr kept for the message when it fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { z } from 'zod';

import { trainingEventSchema } from '../../../shared/events.ts';

const num = z.number().nullable();

export const runnerMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('event'), event: trainingEventSchema }),
  z.object({
    kind: z.literal('done'),
    status: z.enum(['completed', 'stopped', 'early-stopped']),
    step: z.number().int(),
    epochs: z.number().int(),
    testLoss: num,
    testAccuracy: num,
  }),
  z.object({ kind: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type RunnerMessage = z.infer<typeof runnerMessageSchema>;

export interface RunnerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines the runner wrote to stderr (a traceback's end), for messages. */
  stderrTail: string;
}

const STDERR_LINES = 12;

export class RunnerLink {
  readonly child: ChildProcess;
  readonly exited: Promise<RunnerExit>;
  private readonly tail: string[] = [];

  constructor(
    python: string,
    args: string[],
    opts: {
      cwd: string;
      env?: Record<string, string>;
      onMessage: (m: RunnerMessage) => void;
      onBadLine: (why: string) => void;
    },
  ) {
    this.child = spawn(python, args, {
      cwd: opts.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
      env: {
        ...process.env,
        ...opts.env,
        PYTHONUNBUFFERED: '1',
        // No __pycache__ in the run folder or the app's resources.
        PYTHONDONTWRITEBYTECODE: '1',
      },
    });
    this.child.stdin!.on('error', () => undefined); // a runner that is gone reads nothing
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        return opts.onBadLine(`not JSON: ${line.slice(0, 200)}`);
      }
      const parsed = runnerMessageSchema.safeParse(raw);
      if (!parsed.success)
        return opts.onBadLine(`${parsed.error.issues[0]?.message ?? 'bad'}: ${line.slice(0, 200)}`);
      opts.onMessage(parsed.data);
    });
    createInterface({ input: this.child.stderr! }).on('line', (line) => {
      if (process.env.NETFORGE_TORCH_STDERR) process.stderr.write(`[runner] ${line}\n`);
      this.tail.push(line);
      if (this.tail.length > STDERR_LINES) this.tail.shift();
    });
    this.exited = new Promise((resolve) => {
      this.child.on('error', (e) => {
        this.tail.push(e.message);
      });
      this.child.on('close', (code, signal) =>
        resolve({ code, signal, stderrTail: this.tail.join('\n') }),
      );
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(command: { type: 'pause' | 'resume' | 'stop' }): void {
    if (this.child.stdin?.writable) this.child.stdin.write(JSON.stringify(command) + '\n');
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
