// The command line shared by every command: the one table of options, parsing it, reading option
// values (whole numbers, numbers, choices), and the graph argument (a template or a JSON file).
// Mistakes are UsageError / OptionError, which index.ts prints with the usage.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import { TEMPLATES, getTemplate } from '../../shared/templates/index.ts';
import { parseGraphJson, GraphFileError } from '../../shared/graph/parse.ts';
import type { GraphDoc } from '../../shared/graph/types.ts';

/** A command line that cannot be understood (unknown command or option). */
export class UsageError extends Error {}
/** An option or argument with a wrong value. */
export class OptionError extends Error {}

export type Options = Record<string, string | boolean | undefined>;

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
  engine: { type: 'string' },
  python: { type: 'string' },
  device: { type: 'string' },
  'nproc-per-node': { type: 'string' },
  nnodes: { type: 'string' },
  'node-rank': { type: 'string' },
  master: { type: 'string' },
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
  format: { type: 'string' },
  distribute: { type: 'boolean' },
} as const;

/** The command line split into options and positionals (the command first). */
export function parseCommandLine(argv: string[]): { options: Options; positionals: string[] } {
  try {
    const parsed = parseArgs({
      args: argv,
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    return { options: parsed.values, positionals: parsed.positionals };
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^.*?: /, ''));
  }
}

export const int = (o: Options, name: string): number | undefined => {
  const v = o[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new OptionError(`--${name} must be a whole number of at least 1 (got "${v}").`);
  return n;
};

export const float = (o: Options, name: string): number | undefined => {
  const v = o[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new OptionError(`--${name} must be a number (got "${v}").`);
  return n;
};

export const oneOf = <T extends string>(
  o: Options,
  name: string,
  values: readonly T[],
): T | undefined => {
  const v = o[name];
  if (v === undefined) return undefined;
  if (!values.includes(v as T))
    throw new OptionError(`--${name} must be one of ${values.join(', ')} (got "${v}").`);
  return v as T;
};

export const str = (o: Options, name: string): string | undefined =>
  typeof o[name] === 'string' ? (o[name] as string) : undefined;

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
