// `netforge <command>`: the engine from a terminal. Commands that only read
// the graph (templates, summary) do not load TensorFlow.js, so they are instant;
// train and evaluate run the engine in its own process (cli-train.ts); serve runs
// browser mode (cli/serve.ts).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { benchCommand, evaluate, OptionError, train } from './train.ts';
import { serveCommand } from './serve.ts';
import { TEMPLATES, getTemplate } from '../../shared/templates/index.ts';
import { parseGraphJson, GraphFileError } from '../../shared/graph/parse.ts';
import { analyzeGraph } from '../../shared/graph/analyze.ts';
import { summarize, formatSummary } from '../../shared/graph/summary.ts';
import type { GraphDoc } from '../../shared/graph/types.ts';

const USAGE = `Usage: netforge <command> [options]

Commands:
  templates [--json]                     list the built-in networks
  summary <template|graph.json> [--json] layers, output shapes and parameter counts
  train <template|graph.json> [options]  train on MNIST or CIFAR-10 in the engine process
      --dataset mnist|cifar10   (default: the template's)   --data-dir DIR (or NETFORGE_DATA_DIR)
      --epochs N  --batch-size N  --optimizer sgd|adam|rmsprop|adagrad  --lr X  --momentum X
      --validation-split X  --early-stopping PATIENCE  --seed N  --augment (CIFAR-10)
      --limit-train N  --limit-test N  --backend tensorflow|wasm|cpu  --out DIR  --json
      --replicas N              wasm: split each batch across N threads (data-parallel)
      --resume RUN_DIR          continue a stopped run from its last checkpoint
  evaluate <run-dir> [--data-dir DIR] [--limit-test N] [--json]
  bench --model mlp|lenet5|vgg13|resnet18 [--batch N] [--samples N] [--backend NAME] [--replicas N] [--json]
                                         training throughput on random data (see README, Performance)
  serve [--port N] [--open] [--projects-dir DIR] [--runs-dir DIR] [--rebuild]
                                         browser mode: the app at http://127.0.0.1:PORT/?token=...
      --port N            (default: a free port)   --open   open the address in a browser
      --projects-dir DIR  (default: ~/Netforge/projects)
      --runs-dir DIR      where training from the app saves its runs
                          (default: NETFORGE_RUNS_DIR or ~/Netforge/runs)
      --rebuild           build the app again first (it is built when out/renderer is missing)

Run 'netforge templates' to see template names.`;

export class UsageError extends Error {}

/** Loads a template by name, or a graph document from a JSON file. */
export async function loadGraph(ref: string): Promise<GraphDoc> {
  const template = getTemplate(ref);
  if (template) return template.build();
  if (!/\.json$/i.test(ref) && !ref.includes('/') && !ref.includes('\\'))
    throw new UsageError(
      `"${ref}" is neither a template nor a .json file. Templates: ${TEMPLATES.map((t) => t.id).join(', ')}.`,
    );
  let text: string;
  try {
    text = await readFile(ref, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new GraphFileError(
      code === 'ENOENT'
        ? `No such file: ${ref}. Check the path.`
        : `Cannot read ${ref}: ${(e as Error).message}`,
    );
  }
  return parseGraphJson(text, ref);
}

function templates(json: boolean): void {
  if (json) {
    const rows = TEMPLATES.map((t) => {
      const a = analyzeGraph(t.build());
      return {
        id: t.id,
        title: t.title,
        section: t.section,
        dataset: t.dataset,
        totalParams: a.totals.total,
      };
    });
    console.log(JSON.stringify(rows));
    return;
  }
  const rows = TEMPLATES.map((t) => [
    t.id,
    t.dataset,
    analyzeGraph(t.build()).totals.total.toLocaleString('en-US'),
    `${t.title} (${t.section})`,
  ]);
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)) + 2);
  for (const r of rows)
    console.log(
      `${r[0]!.padEnd(w[0]!)}${r[1]!.padEnd(w[1]!)}${r[2]!.padStart(w[2]! - 2)}  ${r[3]}`,
    );
}

async function summary(ref: string | undefined, json: boolean): Promise<number> {
  if (!ref)
    throw new UsageError(
      'summary needs a template name or a graph file, e.g. `netforge summary lenet5`.',
    );
  const doc = await loadGraph(ref);
  const analysis = analyzeGraph(doc);
  const s = summarize(doc, analysis);
  if (json)
    console.log(JSON.stringify(analysis.issues.length ? { ...s, issues: analysis.issues } : s));
  else {
    console.log(formatSummary(doc.name, s));
    for (const i of analysis.issues) console.error(`[${i.code}] ${i.message}`);
  }
  return analysis.issues.length ? 1 : 0;
}

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean' },
  augment: { type: 'boolean' },
  dataset: { type: 'string' },
  'data-dir': { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  optimizer: { type: 'string' },
  lr: { type: 'string' },
  momentum: { type: 'string' },
  'validation-split': { type: 'string' },
  'early-stopping': { type: 'string' },
  seed: { type: 'string' },
  'limit-train': { type: 'string' },
  'limit-test': { type: 'string' },
  out: { type: 'string' },
  backend: { type: 'string' },
  resume: { type: 'string' },
  model: { type: 'string' },
  batch: { type: 'string' },
  samples: { type: 'string' },
  replicas: { type: 'string' },
  port: { type: 'string' },
  open: { type: 'boolean' },
  'projects-dir': { type: 'string' },
  'runs-dir': { type: 'string' },
  rebuild: { type: 'boolean' },
} as const;

export async function main(argv: string[]): Promise<number> {
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError((e as Error).message.replace(/^.*?: /, ''));
    }
    const o = parsed.values;
    const [command, ...rest] = parsed.positionals;
    const json = o.json === true;
    if (o.help || command === 'help' || !command) {
      console.log(USAGE);
      return command || o.help ? 0 : 1;
    }
    switch (command) {
      case 'templates':
        templates(json);
        return 0;
      case 'summary':
        return await summary(rest[0], json);
      case 'train':
        return await train(rest[0], o, loadGraph);
      case 'evaluate':
        return await evaluate(rest[0], o);
      case 'bench':
        return await benchCommand(o);
      case 'serve':
        return await serveCommand(o);
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof OptionError) {
      console.error(`netforge: ${e.message}\n\n${USAGE}`);
      return 1;
    }
    if (e instanceof GraphFileError) {
      console.error(`netforge: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
