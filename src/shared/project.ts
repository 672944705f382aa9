// The saved project file: the graph, the training settings and links to runs.
// Files carry `format` and `version`; ordered migrations bring old files up
// to date, and a file from a newer Netforge is refused, never half-read.
import { z } from 'zod';
import { withoutBom } from './graph/parse.ts';
import { graphDocSchema, GRAPH_FORMAT, type GraphDoc } from './graph/types.ts';
import { trainConfigSchema } from './train-config.ts';

export const PROJECT_FORMAT = 'netforge-project';
export const PROJECT_VERSION = 2;

/**
 * The fields of the Training panel's settings a project keeps: every TrainConfig setting but the
 * dataset, which is the graph's own (GraphDoc.dataset). The data folder is not one: it is a
 * setting of the machine, not of the project. The engine (auto | tfjs | torch) is kept as the
 * user chose it: a file saved before the Training panel had an engine select has none, and its
 * form then starts at the default, auto (no migration: a missing setting is always allowed).
 */
const trainingFields = trainConfigSchema.omit({ dataset: true }).shape;
type TrainingFields = typeof trainingFields;
/** The training settings saved in a project: TrainConfig values, each one optional. */
export type ProjectTraining = { [K in keyof TrainingFields]?: z.output<TrainingFields[K]> };

/**
 * Reads each setting on its own and keeps it only if it is a valid TrainConfig value: a field a
 * hand-edited or damaged file spells wrong is dropped (the form keeps its default for it) rather
 * than refusing the whole project. Missing fields stay missing: no schema defaults are filled
 * in, since the form has defaults of its own.
 */
export const projectTrainingSchema = z.unknown().transform((raw): ProjectTraining => {
  const kept: Record<string, unknown> = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return kept;
  for (const [key, schema] of Object.entries(trainingFields)) {
    const value = (raw as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const r = schema.safeParse(value);
    if (r.success) kept[key] = r.data;
  }
  return kept as ProjectTraining;
});

export const projectSchema = z.object({
  format: z.literal(PROJECT_FORMAT),
  version: z.literal(PROJECT_VERSION),
  name: z.string(),
  graph: graphDocSchema,
  /** The Training panel's settings as the user left them (Save writes them, Open restores them). */
  training: projectTrainingSchema,
  runs: z
    .array(
      z.object({
        runDir: z.string(),
        startedAt: z.string(),
        testAccuracy: z.number().nullable().default(null),
      }),
    )
    .default([]),
  savedAt: z.string().optional(),
});
export type Project = z.infer<typeof projectSchema>;

export class ProjectFileError extends Error {
  readonly code = 'E_BAD_PROJECT';
  constructor(message: string) {
    super(message);
    this.name = 'ProjectFileError';
  }
}

type Json = Record<string, unknown>;

/**
 * Migrations, in order: MIGRATIONS[v] turns a version-v file into version v+1.
 * Version 0 is a bare graph document (a graph file saved by `netforge` or
 * another tool) — opening it makes a project around it.
 */
const MIGRATIONS: Record<number, (old: Json) => Json> = {
  0: (graph) => ({
    format: PROJECT_FORMAT,
    version: 1,
    name: typeof graph.name === 'string' ? graph.name : 'Untitled',
    graph,
    training: {},
    runs: [],
  }),
  /**
   * Version 1 kept none of the user's training settings: nothing wrote them, and a file opened
   * and saved again holds the schema's defaults filled in by the reader (10 epochs, where the
   * form starts at 5). They are dropped, so the form keeps its own defaults.
   */
  1: (old) => ({ ...old, version: 2, training: {} }),
};

/**
 * The file's version: 0 for a bare graph document, else its "version" field. Anything that is not
 * a whole number from 1 up (-1, 0.5, "2", a missing field) is refused here, before the migration
 * loop, which has a step for each version from 0 to PROJECT_VERSION - 1 and no other.
 */
function versionOf(data: Json, source: string): number {
  if (data.format === GRAPH_FORMAT) return 0;
  if (data.format !== PROJECT_FORMAT)
    throw new ProjectFileError(
      `${source} is not a Netforge project: it has no "format": "netforge-project" field.`,
    );
  const v = data.version;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
    throw new ProjectFileError(
      `${source} is damaged: its "version" is ${v === undefined ? 'missing' : JSON.stringify(v)}, ` +
        `where a Netforge project has a whole number from 1 up (this Netforge writes ${PROJECT_VERSION}). ` +
        'Restore the file from a copy, or set "version" to the number it was saved with.',
    );
  return v;
}

/** Reads a project file's text: migrates old versions, refuses newer ones and malformed files. */
export function parseProject(text: string, source = 'The file'): Project {
  let data: unknown;
  try {
    data = JSON.parse(withoutBom(text));
  } catch (e) {
    throw new ProjectFileError(`${source} is not valid JSON (${(e as Error).message}).`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new ProjectFileError(`${source} is not a Netforge project: it is not a JSON object.`);
  let doc = data as Json;
  let v = versionOf(doc, source);
  if (v > PROJECT_VERSION)
    throw new ProjectFileError(
      `${source} was saved by a newer Netforge (project version ${v}; this one reads up to ${PROJECT_VERSION}). Update Netforge to open it.`,
    );
  for (; v < PROJECT_VERSION; v++) {
    const migrate = MIGRATIONS[v];
    // A version below PROJECT_VERSION without a step is a mistake in this file, not the user's.
    if (!migrate) throw new Error(`No migration from project version ${v}.`);
    doc = migrate(doc);
  }
  const r = projectSchema.safeParse(doc);
  if (!r.success) {
    const first = r.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new ProjectFileError(`${source} is not a valid Netforge project: ${first.join('; ')}.`);
  }
  return r.data;
}

export function newProject(graph: GraphDoc, name = graph.name): Project {
  return { format: PROJECT_FORMAT, version: PROJECT_VERSION, name, graph, training: {}, runs: [] };
}

export function serializeProject(p: Project): string {
  return `${JSON.stringify({ ...p, savedAt: new Date().toISOString() }, null, 1)}\n`;
}
