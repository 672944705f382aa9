// Netforge's training throughput against PyTorch's on this machine, measured
// side by side: each round runs torch_reference.py and `netforge bench` for
// the same model and batch, back to back; the table gives medians and ratios.
//
//   npm run bench:compare -- [--rounds 3] [--models mlp,lenet5,vgg13,resnet18] [--torch-threads 1,2]
//                            [--engine tfjs|torch]
//
// --engine torch measures Netforge's PyTorch engine (`netforge bench --engine torch`: the
// generated module in Netforge's loop) against the same plain loop.
//
// Needs ../shared/bench/torch_reference.py and a Python with torch
// (Debian: apt-get install -y python3-torch); NETFORGE_TORCH_PYTHON picks the interpreter.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = join(import.meta.dirname, '..');
const reference = join(root, '..', 'shared', 'bench', 'torch_reference.py');
const BATCH: Record<string, number> = { mlp: 32, lenet5: 32, vgg13: 64, resnet18: 64 };

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    models: { type: 'string', default: 'mlp,lenet5,vgg13,resnet18' },
    'torch-threads': { type: 'string', default: '1,2' },
    backend: { type: 'string', default: 'wasm' },
    engine: { type: 'string', default: 'tfjs' },
  },
});

function python(): string {
  for (const p of [process.env.NETFORGE_TORCH_PYTHON, 'python3', '/usr/bin/python3'].filter(
    Boolean,
  ) as string[]) {
    try {
      execFileSync(p, ['-c', 'import torch'], { stdio: 'ignore' });
      return p;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    'No Python with torch found: apt-get install -y python3-torch, or set NETFORGE_TORCH_PYTHON.',
  );
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function run(cmd: string, args: string[]): Record<string, unknown> {
  const out = execFileSync(cmd, args, {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const line = out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (!line) throw new Error(`${cmd} ${args.join(' ')} printed no JSON`);
  return JSON.parse(line) as Record<string, unknown>;
}

if (!existsSync(reference))
  throw new Error(`${reference} not found: run from a checkout with ../shared beside it.`);
const py = python();
const rounds = Number(values.rounds);
const threads = values['torch-threads']!.split(',').map(Number);
const rows: string[] = [];
for (const model of values.models!.split(',')) {
  const batch = BATCH[model]!;
  const ours: number[] = [];
  const theirs = new Map<number, number[]>(threads.map((t) => [t, []]));
  for (let r = 0; r < rounds; r++) {
    for (const t of threads) {
      const res = run(py, [reference, model, '--batch', String(batch), '--threads', String(t)]);
      theirs.get(t)!.push(Number(res.samples_per_s));
    }
    const res = run(process.execPath, [
      join(root, 'bin', 'netforge.js'),
      'bench',
      '--model',
      model,
      '--batch',
      String(batch),
      ...(values.engine === 'torch' ? ['--engine', 'torch'] : ['--backend', values.backend!]),
      '--json',
    ]);
    ours.push(Number(res.samples_per_s));
    process.stderr.write(
      `${model} round ${r + 1}: netforge ${ours.at(-1)} samples/s; torch ${threads.map((t) => `${t} thread(s) ${theirs.get(t)!.at(-1)}`).join(', ')}\n`,
    );
  }
  const n = median(ours);
  rows.push(
    `| ${model} | ${batch} | ${n.toFixed(1)} | ${threads.map((t) => `${median(theirs.get(t)!).toFixed(1)}`).join(' | ')} | ${threads.map((t) => (n / median(theirs.get(t)!)).toFixed(3)).join(' | ')} |`,
  );
}
console.log(
  `\nMedians of ${rounds} rounds, samples/s (training, random data), netforge ${values.engine === 'torch' ? 'engine torch' : `backend ${values.backend}`}:\n`,
);
console.log(
  `| model | batch | Netforge | ${threads.map((t) => `PyTorch ${t} thr`).join(' | ')} | ${threads.map((t) => `ratio vs ${t} thr`).join(' | ')} |`,
);
console.log(
  `|---|---|---|${threads.map(() => '---|').join('')}${threads.map(() => '---|').join('')}`,
);
for (const r of rows) console.log(r);
