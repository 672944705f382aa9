// The command line shared by every command: parsing it against the flag table (flags.ts) and
// reading option values (whole numbers, numbers, choices). Mistakes are UsageError /
// OptionError (errors.ts), which index.ts prints as one line and a hint. parseArgs runs lax and
// its tokens are checked here, so every mistake is said in the CLI's own words: a near-miss flag
// gets "did you mean", a negative number is a value (`--lr -0.1`), never an "ambiguous" argument.
import { parseArgs } from 'node:util';

import { OptionError, UsageError } from './errors.ts';
import { COMMAND_FLAGS, FLAGS, GLOBAL_FLAGS, type Flag } from './flags.ts';

export { OptionError, UsageError } from './errors.ts';

export type Options = Record<string, string | boolean | undefined>;

/** Names people reach for, by what they mean; edit distance would not find these. */
const SYNONYMS: Record<string, Flag> = {
  'learning-rate': 'lr',
  learningrate: 'lr',
  rate: 'lr',
  output: 'out',
  data: 'data-dir',
  patience: 'early-stopping',
  'val-split': 'validation-split',
  validation: 'validation-split',
  v: 'version',
  h: 'help',
};

/** Edit distance counting a swap of two neighbours as one edit (--prot is one from --port). */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  return d[a.length]![b.length]!;
}

/** The flag among `candidates` that `name` most likely meant, or null. */
export function closestFlag(name: string, candidates: readonly string[]): string | null {
  const lower = name.toLowerCase();
  const synonym = SYNONYMS[lower];
  if (synonym && candidates.includes(synonym)) return synonym;
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(lower, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== null && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : null;
}

const dash = (name: string) => (name.length === 1 ? `-${name}` : `--${name}`);
const isNegativeNumber = (s: string) => /^-(\d|\.\d)/.test(s) && Number.isFinite(Number(s));

/** The command line split into options and positionals (the command first). */
export function parseCommandLine(argv: string[]): { options: Options; positionals: string[] } {
  const { tokens } = parseArgs({
    args: argv,
    options: FLAGS,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const positionals = tokens.flatMap((t) => (t.kind === 'positional' ? [t.value] : []));
  const command = positionals[0];
  const allowed = command ? COMMAND_FLAGS[command] : undefined;
  const options: Options = {};
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const name = (t.name === 'h' ? 'help' : t.name) as Flag;
    const spec = FLAGS[name] as { type: 'string' | 'boolean' } | undefined;
    if (!spec) {
      const guess = closestFlag(
        t.name,
        allowed ? [...allowed, ...GLOBAL_FLAGS] : Object.keys(FLAGS),
      );
      throw new UsageError(
        `Unknown option ${dash(t.name)}.${guess ? ` Did you mean --${guess}?` : ''}`,
        command,
      );
    }
    if (allowed && !allowed.includes(name) && !GLOBAL_FLAGS.includes(name)) {
      const guess = closestFlag(t.name, allowed);
      throw new UsageError(
        `${command} does not take --${name}.${guess ? ` Did you mean --${guess}?` : ''}`,
        command,
      );
    }
    if (spec.type === 'boolean' && t.inlineValue)
      throw new UsageError(`--${name} takes no value (got "${t.rawName}=${t.value}").`, command);
    if (
      spec.type === 'string' &&
      (t.value === undefined ||
        (!t.inlineValue && t.value.startsWith('-') && !isNegativeNumber(t.value)))
    )
      throw new UsageError(`--${name} needs a value, e.g. --${name} VALUE.`, command);
    options[name] = spec.type === 'boolean' ? true : t.value;
  }
  return { options, positionals };
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
