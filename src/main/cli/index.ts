// `netforge <command>`: Netforge from a terminal. One file per command (templates.ts, summary.ts,
// train.ts, evaluate.ts, bench.ts, export.ts, serve.ts), the flags in flags.ts, parsing in
// options.ts. Each command's module is loaded when it runs, so the commands that only read the
// graph (templates, summary) do not load TensorFlow.js and are quick; train and evaluate run the
// engine in its own process (engine-job.ts). A mistake prints one line and where the help is;
// the help itself only on --help.
import { pathToFileURL } from 'node:url';

import pkg from '../../../package.json' with { type: 'json' };
import { GraphFileError } from '../../shared/graph/parse.ts';
import { COMMAND_FLAGS } from './flags.ts';
import { OptionError, parseCommandLine, UsageError } from './options.ts';

const USAGE = `Usage: netforge <command> [options]

A DESIGN is a template name (netforge templates), a project file saved by the app
(NAME.netforge.json) or a graph file (.json).

Commands:
  templates [--json]                     list the built-in networks
  summary <DESIGN> [--json]              layers, output shapes and parameter counts
  train <DESIGN> [options]               train on MNIST or CIFAR-10 in the engine process
      --dataset mnist|cifar10   (default: the design's)   --data-dir DIR (or NETFORGE_DATA_DIR)
      --epochs N  --batch-size N  --optimizer sgd|adam|rmsprop|adagrad  --lr X  --momentum X
      --validation-split X  --early-stopping PATIENCE  --seed N  --augment (CIFAR-10)
      --limit-train N  --limit-test N  --backend tensorflow|wasm|cpu  --json
                                (a project file's training settings are the defaults)
      --replicas N              wasm: split each batch across N threads (data-parallel)
      --engine auto|tfjs|torch  the engine (auto: a GPU engine, else PyTorch if found, else tfjs)
      --python PATH             the Python with torch (default $NETFORGE_PYTHON, else python3)
      --nproc-per-node N [--nnodes M --node-rank R --master ADDR:PORT]
                                torch: DistributedDataParallel over N processes per machine
      --runs-dir DIR            where the run's folder is made (default: NETFORGE_RUNS_DIR or
                                ~/Netforge/runs, the app's runs folder: the app lists the run)
      --out DIR                 the run's folder itself: a new or empty one
      --force                   with --out onto a folder holding a run: move that run aside
                                (to DIR.replaced-TIME) and start afresh
      --resume RUN_DIR          continue a stopped run from its last checkpoint, with its own
                                settings and data folder (takes --epochs, --limit-test,
                                --data-dir, --backend, --python)
  evaluate <RUN_DIR> [--data-dir DIR] [--limit-test N] [--backend NAME] [--json]
                                         test a run's model (default: the run's own data folder
                                         and test limit)
  bench --model mlp|lenet5|vgg13|resnet18 [--batch N] [--samples N] [--backend NAME] [--replicas N] [--json]
      [--engine tfjs|torch] [--device cpu|cuda|mps] [--python PATH]
                                         training throughput on random data (see README, Performance)
  export <RUN_DIR|DESIGN> --format tfjs|keras-h5|onnx|keras-py|pytorch [--out PATH]
      [--dataset mnist|cifar10] [--distribute] [--json]
                                         the model as files other tools open (a run folder: its
                                         trained weights; a design: initial weights)
  serve [--port N] [--open] [--projects-dir DIR] [--runs-dir DIR] [--data-dir DIR] [--keep-token] [--rebuild]
                                         browser mode: the app at http://127.0.0.1:PORT/?token=...
      --port N            (default: a free port)   --open   open the address in a browser
      --projects-dir DIR  (default: NETFORGE_PROJECTS_DIR or ~/Netforge/projects)
      --runs-dir DIR      the runs folder (default: NETFORGE_RUNS_DIR or ~/Netforge/runs)
      --data-dir DIR      the data folder runs use (default: NETFORGE_DATA_DIR)
      --keep-token        keep the address's token across restarts (one per projects folder),
                          so a bookmark keeps working; without it each start makes a new one
      --rebuild           build the app again first (it is built when out/renderer is missing)

  netforge --version      the version;  netforge <command> --help   this help`;

/** The line after a mistake: where the help is. */
const hint = (command: string | undefined) =>
  `Run 'netforge ${command && COMMAND_FLAGS[command] ? `${command} ` : ''}--help' for the options.`;

export async function main(argv: string[]): Promise<number> {
  let command: string | undefined;
  try {
    const { options: o, positionals } = parseCommandLine(argv);
    const rest = positionals.slice(1);
    command = positionals[0];
    const json = o.json === true;
    if (o.help || command === 'help') {
      console.log(USAGE);
      return 0;
    }
    if (o.version) {
      console.log(pkg.version);
      return 0;
    }
    if (!command)
      throw new UsageError(
        `Give a command: ${Object.keys(COMMAND_FLAGS).join(', ')}, e.g. \`netforge templates\`.`,
      );
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
      default: {
        throw new UsageError(
          `Unknown command "${command}". The commands: ${Object.keys(COMMAND_FLAGS).join(', ')}.`,
        );
      }
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof OptionError) {
      console.error(
        `netforge: ${e.message}\n${hint(e instanceof UsageError ? (e.command ?? command) : command)}`,
      );
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
