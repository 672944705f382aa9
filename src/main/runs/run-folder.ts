// RunFolder: the one piece of code that knows a run folder's paths (names in run-files.ts).
// Everything else asks it for a file, or to read or write one.
//
// One writer per file: each file has one owner process, and no two processes write a file at
// the same time. The engine process owns the run once it has the run's request.
//
//   file                        written by                       when
//   netforge-run.json           main (training-service.ts) or    first, when it makes the folder
//                               the CLI (cli/run-target.ts)
//   graph.json, config.json     engine (engine/run.ts)           when a new run starts
//   metrics.jsonl               engine                           appended, one whole line per event
//   checkpoints/{last,best}/    engine (engine/trainer.ts)       each epoch's end and on stop
//                               or its Python runner (torch)     (engine/torch/: same files)
//   torch/                      engine (engine/torch/)           when a torch run starts
//   model/                      engine                           when the run ends
//   evaluation.json, run.json   engine                           when the run ends
//   netforge-lock.json          main or the CLI (run-lock.ts)    while a run trains or is deleted
//   error.json                  engine                           before it reports a run's failure
//                               main, only if the engine died    (E_ENGINE_DIED: nobody else can)
//   exports.jsonl               whoever exports the run's model  appended, one whole line each
//                               (CLI or main; lines are appended, never rewritten)
//   error.json                  engine: removed when a resumed run has started (its events
//                               supersede the earlier failure)
//
// A resumed run (runs.continue, `netforge train --resume`) writes nothing until it has checked
// its checkpoint against the graph and loaded its data: a resume refused before that leaves the
// folder as it was. Its run.json and evaluation.json stay until the resumed run replaces them
// (atomically) with its own, so a resumed run that fails keeps the earlier test accuracy; its
// events in metrics.jsonl tell what happened since.
//
// Every JSON and binary file is written atomically (atomic-write.ts); metrics.jsonl only grows.
// `netforge train` writes netforge-run.json as the app does (cli/run-target.ts); a folder made by
// an older `netforge train --out DIR` has none.
//
// Reading: the tolerant readers (`read*`, `has*`, checkpoint()) never throw; a file that is
// missing, half-written or damaged reads as null, for views of runs that may be in progress or
// dead. The strict readers (`load*`) fail with a CodedError naming the file, for callers that
// cannot go on without it. Paths stored inside the files (run-started.runDir, run.json's runDir,
// error.json's checkpoint) are where the run was when written; nothing here relies on them.
import { existsSync } from 'node:fs';
import { appendFile, mkdir, open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { GraphDoc } from '../../shared/graph/types.ts';
import { graphDocSchema } from '../../shared/graph/types.ts';
import { trainConfigSchema, type TrainConfig } from '../../shared/train-config.ts';
import { type TrainingEvent } from '../../shared/events.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { completeCheckpoint } from './checkpoint-files.ts';
import { readJsonOrNull, readJsonStrict, readTextOrEmpty } from './file-readers.ts';
import { modelFiles, type ModelFiles } from './model-files.ts';
import {
  acquireLock,
  judgeLock,
  readLockFile,
  type HeldLock,
  type LockHolder,
} from './run-lock.ts';
import {
  RUN_FILES,
  TORCH_FILES,
  evaluationFileSchema,
  exportRecordSchema,
  runErrorFileSchema,
  runResultSchema,
  runStartFieldsSchema,
  runStartSchema,
  type CheckpointKind,
  type EvaluationFile,
  type ExportRecord,
  type RunErrorFile,
  type RunResult,
  type RunStart,
} from './run-files.ts';

export type {
  CheckpointKind,
  ExportRecord,
  RunErrorFile,
  RunResult,
  RunStart,
} from './run-files.ts';

const pretty = (value: unknown) => JSON.stringify(value, null, 1);

/** Whether the file is missing, empty or ends with a newline (its last byte only is read). */
async function endsWithNewline(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return true;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return true;
    const { buffer } = await handle.read(Buffer.alloc(1), 0, 1, size - 1);
    return buffer[0] === 0x0a;
  } finally {
    await handle.close();
  }
}

export class RunFolder {
  constructor(readonly dir: string) {}

  // ---- Paths ----

  get startFile(): string {
    return join(this.dir, RUN_FILES.start);
  }
  get graphFile(): string {
    return join(this.dir, RUN_FILES.graph);
  }
  get configFile(): string {
    return join(this.dir, RUN_FILES.config);
  }
  get metricsFile(): string {
    return join(this.dir, RUN_FILES.metrics);
  }
  get evaluationFile(): string {
    return join(this.dir, RUN_FILES.evaluation);
  }
  get resultFile(): string {
    return join(this.dir, RUN_FILES.result);
  }
  get errorFile(): string {
    return join(this.dir, RUN_FILES.error);
  }
  /** The trained model's folder (model-files.ts). */
  get modelDir(): string {
    return join(this.dir, RUN_FILES.model);
  }
  get modelFiles(): ModelFiles {
    return modelFiles(this.modelDir);
  }
  /** The owner lock (run-lock.ts). */
  get lockFile(): string {
    return join(this.dir, RUN_FILES.lock);
  }
  /** The PyTorch engine's files (engine/torch/): model.py, its data module, runner and job. */
  get torchFiles(): { dir: string } & { [K in keyof typeof TORCH_FILES]: string } {
    const dir = join(this.dir, RUN_FILES.torch);
    const at = (name: string) => join(dir, name);
    return {
      dir,
      model: at(TORCH_FILES.model),
      data: at(TORCH_FILES.data),
      runner: at(TORCH_FILES.runner),
      checkpoints: at(TORCH_FILES.checkpoints),
      job: at(TORCH_FILES.job),
      replicas: at(TORCH_FILES.replicas),
    };
  }
  /** Where the engine writes the `kind` checkpoint (checkpoint-files.ts). */
  checkpointDir(kind: CheckpointKind): string {
    return join(this.dir, RUN_FILES.checkpoints, kind);
  }

  // ---- Tolerant readers ----

  /** netforge-run.json's well-formed fields; null when it is missing or not an object. */
  readStart(): Promise<Partial<RunStart> | null> {
    return readJsonOrNull(this.startFile, runStartFieldsSchema);
  }
  readGraph(): Promise<GraphDoc | null> {
    return readJsonOrNull(this.graphFile, graphDocSchema);
  }
  readConfig(): Promise<TrainConfig | null> {
    return readJsonOrNull(this.configFile, trainConfigSchema);
  }
  readEvaluation(): Promise<EvaluationFile | null> {
    return readJsonOrNull(this.evaluationFile, evaluationFileSchema);
  }
  readResult(): Promise<RunResult | null> {
    return readJsonOrNull(this.resultFile, runResultSchema);
  }
  readError(): Promise<RunErrorFile | null> {
    return readJsonOrNull(this.errorFile, runErrorFileSchema);
  }
  /**
   * Whether the folder holds a run's files, in any state: netforge-run.json, graph.json,
   * config.json or metrics.jsonl (the first files the app, the CLI and the engine write).
   */
  holdsRun(): boolean {
    return [this.startFile, this.graphFile, this.configFile, this.metricsFile].some((f) =>
      existsSync(f),
    );
  }
  /** Whether the run left an error.json, readable or not (its status is then 'failed'). */
  hasError(): boolean {
    return existsSync(this.errorFile);
  }
  /**
   * metrics.jsonl's complete lines: a last line without its newline is being appended as we
   * read (or was cut off by a crash) and is left out. '' when the file is missing.
   */
  async readMetrics(): Promise<string> {
    const text = await readTextOrEmpty(this.metricsFile);
    return text.slice(0, text.lastIndexOf('\n') + 1);
  }
  /** Whether model/ holds a trained model. */
  hasModel(): boolean {
    return existsSync(this.modelFiles.topology);
  }
  /** The folder of the complete `kind` checkpoint, or null if the run kept none. */
  checkpoint(kind: CheckpointKind): string | null {
    return completeCheckpoint(this.checkpointDir(kind));
  }

  /** When run.json was last written (ms since the epoch), or null if it is missing. */
  async resultWrittenAt(): Promise<number | null> {
    return (await stat(this.resultFile).catch(() => null))?.mtimeMs ?? null;
  }
  /** Who holds the run's owner lock, as the instance `self` sees it (run-lock.ts). */
  async lockHolder(self: string): Promise<LockHolder> {
    return judgeLock(await readLockFile(this.lockFile), self);
  }

  // ---- The owner lock ----

  /**
   * Takes the run's owner lock for the instance `instance` (the folder must exist): E_BUSY
   * (RunLockedError, naming the holder) while another live Netforge holds it. Release it when
   * the run has ended.
   */
  lock(instance: string): Promise<HeldLock> {
    return acquireLock(this.lockFile, instance);
  }

  // ---- Strict readers: E_NOT_FOUND or E_IO naming the file ----

  loadGraph(): Promise<GraphDoc> {
    return readJsonStrict(this.graphFile, graphDocSchema);
  }
  loadConfig(): Promise<TrainConfig> {
    return readJsonStrict(this.configFile, trainConfigSchema);
  }

  // ---- Main's writes ----

  /**
   * Makes the folder (its parent must exist), takes its owner lock for the instance `instance`
   * and writes netforge-run.json. Fails with EEXIST if the folder exists, so that a caller
   * choosing a fresh name can try the next one; on any other failure the folder it made is
   * removed (a full disk leaves no empty run folder behind).
   */
  static async create(
    dir: string,
    start: RunStart,
    instance: string,
  ): Promise<{ folder: RunFolder; lock: HeldLock }> {
    await mkdir(dir);
    const folder = new RunFolder(dir);
    let lock: HeldLock | null = null;
    try {
      lock = await folder.lock(instance);
      await writeFileAtomic(folder.startFile, pretty(runStartSchema.parse(start)));
      return { folder, lock };
    } catch (e) {
      await lock?.release();
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      throw e;
    }
  }

  // ---- The engine's writes (and error.json by main once the engine is dead) ----

  /** Makes the folder and its parents if missing (the CLI names a new folder). */
  async ensure(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }
  writeGraph(graph: GraphDoc): Promise<void> {
    return writeFileAtomic(this.graphFile, pretty(graph));
  }
  writeConfig(config: TrainConfig): Promise<void> {
    return writeFileAtomic(this.configFile, pretty(config));
  }
  /** Appends one event to metrics.jsonl as one whole line, with the time it was written. */
  appendEvent(event: TrainingEvent): Promise<void> {
    return appendFile(this.metricsFile, `${JSON.stringify({ time: Date.now(), ...event })}\n`);
  }
  writeEvaluation(evaluation: EvaluationFile): Promise<void> {
    return writeFileAtomic(this.evaluationFile, JSON.stringify(evaluation));
  }
  /** run.json: the finished event with the backend. */
  writeResult(result: RunResult): Promise<void> {
    return writeFileAtomic(this.resultFile, pretty(result));
  }
  /** error.json: the run's error event. See the table above for who may call this, when. */
  writeError(error: RunErrorFile): Promise<void> {
    return writeFileAtomic(this.errorFile, pretty({ type: 'error', ...error }));
  }
  /** Records an export of this run's model (exports.jsonl; appends, so exporters never race). */
  recordExport(record: ExportRecord): Promise<void> {
    return appendFile(this.exportsFile, `${JSON.stringify(exportRecordSchema.parse(record))}\n`);
  }
  /** The exports recorded so far, oldest first; damaged lines are skipped. */
  async readExports(): Promise<ExportRecord[]> {
    const text = await readTextOrEmpty(this.exportsFile);
    return text.split('\n').flatMap((line) => {
      try {
        const r = exportRecordSchema.safeParse(JSON.parse(line));
        return r.success ? [r.data] : [];
      } catch {
        return [];
      }
    });
  }
  get exportsFile(): string {
    return join(this.dir, RUN_FILES.exports);
  }

  /**
   * A resumed run has started: error.json (an earlier attempt's failure, superseded by the
   * events that follow) goes, and a last line of metrics.jsonl that a crash or a full disk cut
   * off is ended, so that the resumed run's first event starts a line of its own.
   */
  async beginResumed(): Promise<void> {
    await rm(this.errorFile, { force: true });
    if (!(await endsWithNewline(this.metricsFile))) await appendFile(this.metricsFile, '\n');
  }
}
