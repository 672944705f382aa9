// The engine API's request handler, shared by both transports: Electron IPC (src/main/desktop/index.ts)
// and the browser-mode WebSocket (src/main/server/server.ts). Plain Node, no electron import.
// Every request is validated with zod here, whatever the transport already checked, because
// project names become file names.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';

import pkg from '../../../package.json' with { type: 'json' };
import { CodedError, toCodedError, type ErrorCode } from '../../shared/errors.ts';
import { parseProject, ProjectFileError } from '../../shared/project.ts';
import {
  clientRequestSchema,
  projectNameSchema,
  type ClientRequest,
  type ClientRequestInput,
  type ProjectEntry,
  type ServerReply,
} from '../../shared/protocol.ts';
import { datasetStatus } from '../engine/datasets/index.ts';
import type { TrainingService } from './training-service.ts';

/** Stable codes of failed replies (see ServerReply.error). */
export const REQUEST_ERROR_CODES = {
  E_BAD_REQUEST:
    'The request is not valid JSON or does not match the protocol, or names something that does not exist in the run: a test image index out of range, a layer without feature maps',
  E_NOT_FOUND:
    'No project of that name in the projects folder, or no run of that id in the runs folder (or its config.json is unreadable)',
  E_BAD_PROJECT: 'The text sent to projects.write is not a Netforge project',
  E_IO: 'The projects folder or a file in it could not be read or written',
  E_FORBIDDEN: "The request came from a page that is not Netforge's own (desktop app only)",
  E_BUSY:
    'A training run is already in progress (one at a time), or runs.delete named the run in progress',
  E_NO_RUN: 'The run named in train.pause/resume/stop is not in progress',
  E_ENGINE: 'The training engine could not be started',
  E_NO_TRAINING: 'This server was started without training',
  E_FINISHED: 'runs.continue: the run already trained all its epochs',
  E_NO_CHECKPOINT: 'runs.continue: the run kept no checkpoint to continue from',
  E_DATA_MISSING:
    "runs.images / runs.featureMaps: the run's dataset is not on disk (its data folder, $NETFORGE_DATA_DIR, the cache); these requests never download it",
  E_NO_MODEL:
    'runs.featureMaps: the run has no trained model (yet): it is saved when a run finishes',
  E_NO_FEATURE_MAPS:
    'runs.featureMaps: the network has no layer with an (h, w, c) output (e.g. an MLP)',
  E_FEATURE_MAPS:
    'runs.featureMaps: the model could not be loaded, or the process computing the maps failed or timed out',
} as const;
export type RequestErrorCode = keyof typeof REQUEST_ERROR_CODES;

export interface RequestContext {
  /** Folder holding `<name>.netforge.json` files; created when first needed. */
  projectsDir: string;
  /** Runs train.* and runs.*; without it they fail with E_NO_TRAINING. */
  training?: TrainingService;
}

export const PROJECT_SUFFIX = '.netforge.json';

/** Where projects live unless the user names another: $NETFORGE_PROJECTS_DIR or ~/Netforge/projects. */
export function defaultProjectsDir(): string {
  return process.env['NETFORGE_PROJECTS_DIR'] || join(homedir(), 'Netforge', 'projects');
}

class RequestError extends CodedError {}

/** A request's id if `raw` has a usable one, else 0 (client ids start at 1). */
function idOf(raw: unknown): number {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'number' && Number.isInteger(id) ? id : 0;
}

function failure(id: number, code: ErrorCode, message: string): ServerReply {
  return { id, ok: false, error: { code, message } };
}

/**
 * Checks a message against clientRequestSchema. Transports call this on what arrived, then
 * handleRequest on the result; a failure comes back as the E_BAD_REQUEST reply to send.
 */
export function toRequest(raw: unknown): { request: ClientRequest } | { reply: ServerReply } {
  const r = clientRequestSchema.safeParse(raw);
  if (r.success) return { request: r.data };
  const issues = r.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`);
  return {
    reply: failure(idOf(raw), 'E_BAD_REQUEST', `Invalid request: ${issues.join('; ')}.`),
  };
}

/** Parses one text message (a WebSocket frame) and answers it. Never throws. */
export async function handleMessage(text: string, ctx: RequestContext): Promise<ServerReply> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return failure(0, 'E_BAD_REQUEST', `The message is not valid JSON (${(e as Error).message}).`);
  }
  const r = toRequest(raw);
  return 'reply' in r ? r.reply : handleRequest(r.request, ctx);
}

/** Answers one request. Never throws: every failure is a reply with `ok: false` and a code. */
export async function handleRequest(
  req: ClientRequestInput,
  ctx: RequestContext,
): Promise<ServerReply> {
  const checked = toRequest(req);
  if ('reply' in checked) return checked.reply;
  const request = checked.request;
  try {
    return { id: request.id, ok: true, result: await answer(request, ctx) };
  } catch (e) {
    // Every layer throws CodedError; anything else is a file system error of the projects folder.
    const coded = toCodedError(e, 'E_IO');
    return failure(request.id, coded.code, coded.message);
  }
}

async function answer(req: ClientRequest, ctx: RequestContext): Promise<unknown> {
  switch (req.type) {
    case 'hello':
      return { version: pkg.version, projectsDir: ctx.projectsDir };
    case 'projects.list':
      return listProjects(ctx.projectsDir);
    case 'projects.read':
      return { text: await readProject(ctx.projectsDir, req.name) };
    case 'projects.write':
      await writeProject(ctx.projectsDir, req.name, req.text);
      return { name: req.name };
    case 'train.start':
      return training(ctx).start({ graph: req.graph, config: req.config, dataDir: req.dataDir });
    case 'train.pause':
      await training(ctx).pause(req.runId);
      return { runId: req.runId };
    case 'train.resume':
      await training(ctx).resume(req.runId);
      return { runId: req.runId };
    case 'train.stop':
      await training(ctx).stop(req.runId);
      return { runId: req.runId };
    case 'runs.list':
      return training(ctx).list();
    case 'runs.get':
      return training(ctx).get(req.runId);
    case 'runs.images':
      return training(ctx).images(req.runId, req.indices);
    case 'runs.featureMaps':
      return training(ctx).featureMaps(req.runId, req.layer, req.index);
    case 'runs.continue':
      return training(ctx).continueRun(req.runId);
    case 'runs.delete':
      await training(ctx).delete(req.runId);
      return { runId: req.runId };
    case 'datasets.status':
      return datasetStatus(req.dataset, {
        dataDir: req.dataDir ?? null,
        cacheDir: ctx.training?.cacheDir ?? null,
      });
  }
}

function training(ctx: RequestContext): TrainingService {
  if (!ctx.training)
    throw new RequestError('E_NO_TRAINING', 'Training is not available from this server.');
  return ctx.training;
}

const fsMessage = (e: unknown): string => (e as Error).message;

async function listProjects(dir: string): Promise<ProjectEntry[]> {
  await ensureDir(dir);
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (e) {
    throw new RequestError('E_IO', `Could not list the projects in ${dir} (${fsMessage(e)}).`);
  }
  const entries: (ProjectEntry & { mtimeMs: number })[] = [];
  for (const file of files) {
    if (!file.endsWith(PROJECT_SUFFIX)) continue;
    const name = file.slice(0, -PROJECT_SUFFIX.length);
    // Only names a client could ask for; this also skips our own temp files.
    if (!projectNameSchema.safeParse(name).success) continue;
    try {
      const s = await stat(join(dir, file));
      if (!s.isFile()) continue;
      entries.push({ name, modified: s.mtime.toISOString(), bytes: s.size, mtimeMs: s.mtimeMs });
    } catch {
      // Deleted between readdir and stat: not a project any more.
    }
  }
  entries.sort((a, b) => b.mtimeMs - a.mtimeMs || a.name.localeCompare(b.name));
  return entries.map(({ name, modified, bytes }) => ({ name, modified, bytes }));
}

async function readProject(dir: string, name: string): Promise<string> {
  try {
    return await readFile(join(dir, name + PROJECT_SUFFIX), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR')
      throw new RequestError(
        'E_NOT_FOUND',
        `There is no project named "${name}" in ${dir}. The project list shows the saved ones.`,
      );
    throw new RequestError('E_IO', `Could not read project "${name}" (${fsMessage(e)}).`);
  }
}

async function writeProject(dir: string, name: string, text: string): Promise<void> {
  try {
    parseProject(text, `The project "${name}"`);
  } catch (e) {
    if (e instanceof ProjectFileError)
      throw new RequestError('E_BAD_PROJECT', `${e.message} Nothing was saved.`);
    throw e;
  }
  await ensureDir(dir);
  try {
    await writeAtomically(join(dir, name + PROJECT_SUFFIX), text);
  } catch (e) {
    throw new RequestError(
      'E_IO',
      `Could not save project "${name}" in ${dir} (${fsMessage(e)}). The previous version, if any, is unchanged.`,
    );
  }
}

async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new RequestError(
      'E_IO',
      `Could not create the projects folder ${dir} (${fsMessage(e)}).`,
    );
  }
}

/**
 * Writes to a temp file beside the target, flushes it and renames it over the target, so a
 * crash or a full disk leaves either the old file or the new one, never half of one.
 */
async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = join(
    dirname(file),
    `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
