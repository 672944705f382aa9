// `netforge <command>`: Netforge from a terminal. One file per command (templates.ts, summary.ts,
// train.ts, evaluate.ts, bench.ts, export.ts, serve.ts), the shared option parsing in options.ts. Each
// command's module is loaded when it runs, so the commands that only read the graph (templates,
// summary) do not load TensorFlow.js and are quick; train and evaluate run the engine in its own
// process (engine-job.ts).
import { pathToFileURL } from 'node:url';

import { GraphFileError } from '../../shared/graph/parse.ts';
import { OptionError, parseCommandLine, UsageError } from './options.ts';

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
      --engine auto|tfjs|torch  the engine (auto: a GPU engine, else PyTorch if found, else tfjs)
      --python PATH             the Python with torch (default $NETFORGE_PYTHON, else python3)
      --nproc-per-node N [--nnodes M --node-rank R --master ADDR:PORT]
                                torch: DistributedDataParallel over N processes per machine
      --resume RUN_DIR          continue a stopped run from its last checkpoint
  evaluate <run-dir> [--data-dir DIR] [--limit-test N] [--json]
  bench --model mlp|lenet5|vgg13|resnet18 [--batch N] [--samples N] [--backend NAME] [--replicas N] [--json]
      [--engine tfjs|torch] [--device cpu|cuda|mps] [--python PATH]
                                         training throughput on random data (see README, Performance)
  export <run-dir|graph.json|template> --format tfjs|keras-h5|onnx|keras-py|pytorch [--out PATH]
      [--dataset mnist|cifar10] [--distribute] [--json]
                                         the model as files other tools open (a run folder: its
                                         trained weights; a graph or template: initial weights)
  serve [--port N] [--open] [--projects-dir DIR] [--runs-dir DIR] [--data-dir DIR] [--rebuild]
                                         browser mode: the app at http://127.0.0.1:PORT/?token=...
      --port N            (default: a free port)   --open   open the address in a browser
      --projects-dir DIR  (default: ~/Netforge/projects)
      --runs-dir DIR      where training from the app saves its runs
                          (default: NETFORGE_RUNS_DIR or ~/Netforge/runs)
      --rebuild           build the app again first (it is built when out/renderer is missing)

Run 'netforge templates' to see template names.`;

export async function main(argv: string[]): Promise<number> {
  try {
    const { options: o, positionals } = parseCommandLine(argv);
    const [command, ...rest] = positionals;
    const json = o.json === true;
    if (o.help || command === 'help' || !command) {
      console.log(USAGE);
      return command || o.help ? 0 : 1;
    }
    switch (command) {
      case 'templates':
        return (await import('./templates.ts')).templatesCommand(json);
      case 'summary':
        return await (await import('./summary.ts')).summaryCommand(rest[0], json);
      case 'train':
        return await (await import('./train.ts')).trainCommand(rest[0], o);
      case 'evaluate':
        return await (await import('./evaluate.ts')).evaluateCommand(rest[0], o);
      case 'bench':
        return await (await import('./bench.ts')).benchCommand(o);
      case 'export':
        return await (await import('./export.ts')).exportCommand(rest[0], o);
      case 'serve':
        return await (await import('./serve.ts')).serveCommand(o);
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

// Started as a process of its own (the app's export.write forks this entry), rather than
// imported by bin/netforge.js: run the command line it was given.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  process.exitCode = await main(process.argv.slice(2));
