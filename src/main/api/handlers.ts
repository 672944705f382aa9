// The engine API's server side, shared by both transports: Electron IPC (src/main/desktop) and the
// browser-mode WebSocket (src/main/server). One handler per method of the API table
// (src/shared/api.ts), typed from it; handleRequest validates a request once, answers it, and
// turns every failure into a reply with a registered code. Plain Node, no electron import.
import pkg from '../../../package.json' with { type: 'json' };
import {
  apiRequestSchema,
  type ApiReply,
  type ApiRequest,
  type Method,
  type Params,
  type Result,
} from '../../shared/api.ts';
import { CodedError, toCodedError, type ErrorCode } from '../../shared/errors.ts';
import { datasetStatus } from '../engine/datasets/index.ts';
import { enginesStatus } from '../engine/torch/status.ts';
import { defaultExportsDir, writeExport } from './exports.ts';
import { listProjects, readProject, writeProject } from './projects.ts';
import { listRunFiles, withSettings } from './run-listing.ts';
import type { TrainingService } from './training-service.ts';

export { defaultProjectsDir, PROJECT_SUFFIX } from './projects.ts';

export interface RequestContext {
  /** Folder holding `<name>.netforge.json` files; created when first needed. */
  projectsDir: string;
  /** Where export.write writes (default: $NETFORGE_EXPORTS_DIR or ~/Netforge/exports). */
  exportsDir?: string;
  /** Runs train.* and runs.*; without it they fail with E_NO_TRAINING. */
  training?: TrainingService;
}

type Handlers = {
  [M in Method]: (params: Params<M>, ctx: RequestContext) => Promise<Result<M>>;
};

function training(ctx: RequestContext): TrainingService {
  if (!ctx.training)
    throw new CodedError('E_NO_TRAINING', 'Training is not available from this server.');
  return ctx.training;
}

const handlers: Handlers = {
  hello: async (_p, ctx) => ({
    version: pkg.version,
    projectsDir: ctx.projectsDir,
    dataDir: process.env.NETFORGE_DATA_DIR || null,
    exportsDir: ctx.exportsDir ?? defaultExportsDir(),
  }),
  'projects.list': (_p, ctx) => listProjects(ctx.projectsDir),
  'projects.read': async (p, ctx) => ({ text: await readProject(ctx.projectsDir, p.name) }),
  'projects.write': async (p, ctx) => {
    await writeProject(ctx.projectsDir, p.name, p.text);
    return { name: p.name };
  },
  'train.start': (p, ctx) =>
    training(ctx).start({ graph: p.graph, config: p.config, dataDir: p.dataDir ?? null }),
  'train.pause': async (p, ctx) => {
    await training(ctx).pause(p.runId);
    return { runId: p.runId };
  },
  'train.resume': async (p, ctx) => {
    await training(ctx).resume(p.runId);
    return { runId: p.runId };
  },
  'train.stop': async (p, ctx) => {
    await training(ctx).stop(p.runId);
    return { runId: p.runId };
  },
  'runs.list': async (_p, ctx) => withSettings(await training(ctx).list()),
  'runs.get': (p, ctx) => training(ctx).get(p.runId),
  'runs.images': (p, ctx) => training(ctx).images(p.runId, p.indices),
  'runs.featureMaps': (p, ctx) => training(ctx).featureMaps(p.runId, p.layer, p.index),
  'runs.files': async (p, ctx) => {
    const entry = (await training(ctx).list()).find((r) => r.runId === p.runId);
    if (!entry)
      throw new CodedError(
        'E_NOT_FOUND',
        `There is no run "${p.runId}" in the runs folder: it may have been moved or deleted.`,
      );
    try {
      return await listRunFiles(entry.runDir);
    } catch (e) {
      throw new CodedError('E_IO', `Could not list ${entry.runDir} (${(e as Error).message}).`);
    }
  },
  'runs.continue': (p, ctx) => training(ctx).continueRun(p.runId),
  'runs.delete': async (p, ctx) => {
    await training(ctx).delete(p.runId);
    return { runId: p.runId };
  },
  'export.write': (p, ctx) => writeExport(p, ctx.training, ctx.exportsDir),
  'datasets.status': (p, ctx) =>
    datasetStatus(p.dataset, {
      dataDir: p.dataDir ?? null,
      cacheDir: ctx.training?.cacheDir ?? null,
    }),
  'engines.status': () => enginesStatus(null),
};

/** A request's id if `raw` has a usable one, else 0 (client ids start at 1). */
function idOf(raw: unknown): number {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'number' && Number.isInteger(id) ? id : 0;
}

function failure(id: number, code: ErrorCode, message: string): ApiReply {
  return { id, ok: false, error: { code, message } };
}

/** A reply refusing the message `raw` (a transport's own check failed) with `code`. */
export function refusal(raw: unknown, code: ErrorCode, message: string): ApiReply {
  return failure(idOf(raw), code, message);
}

/** Checks a message against the API table; a failure comes back as the E_BAD_REQUEST reply. */
export function toRequest(raw: unknown): { request: ApiRequest } | { reply: ApiReply } {
  const r = apiRequestSchema.safeParse(raw);
  if (r.success) return { request: r.data as ApiRequest };
  const issues = r.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`);
  return {
    reply: failure(idOf(raw), 'E_BAD_REQUEST', `Invalid request: ${issues.join('; ')}.`),
  };
}

/** Parses one text message (a WebSocket frame) and answers it. Never throws. */
export async function handleMessage(text: string, ctx: RequestContext): Promise<ApiReply> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return failure(0, 'E_BAD_REQUEST', `The message is not valid JSON (${(e as Error).message}).`);
  }
  return handleRequest(raw, ctx);
}

/**
 * Validates one request (whatever arrived: this is the one check) and answers it. Never throws:
 * every failure is a reply with `ok: false` and a registered code.
 */
export async function handleRequest(raw: unknown, ctx: RequestContext): Promise<ApiReply> {
  const checked = toRequest(raw);
  if ('reply' in checked) return checked.reply;
  const { id, type, ...params } = checked.request;
  try {
    const handler = handlers[type] as (p: typeof params, c: RequestContext) => Promise<unknown>;
    return { id, ok: true, result: await handler(params, ctx) };
  } catch (e) {
    // Every layer throws CodedError; anything else is unexpected and says so.
    const coded = toCodedError(e, 'E_INTERNAL');
    return failure(id, coded.code, coded.message);
  }
}
