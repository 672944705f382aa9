// Reading a graph document from untrusted JSON with messages a user can act on.
import { graphDocSchema, GRAPH_FORMAT, GRAPH_VERSION, type GraphDoc } from './types.ts';

export class GraphFileError extends Error {
  readonly code = 'E_BAD_FILE';
  constructor(message: string) {
    super(message);
    this.name = 'GraphFileError';
  }
}

/** A UTF-8 byte order mark, which some editors put at the start of a file; JSON.parse refuses it. */
const BOM = '\uFEFF';

/** `text` without a leading byte order mark. */
export const withoutBom = (text: string): string =>
  text.startsWith(BOM) ? text.slice(BOM.length) : text;

export function parseGraphJson(text: string, source = 'the file'): GraphDoc {
  let data: unknown;
  try {
    data = JSON.parse(withoutBom(text));
  } catch (e) {
    throw new GraphFileError(
      `${source} is not valid JSON (${(e as Error).message}). Check that it is a Netforge graph file.`,
    );
  }
  return parseGraph(data, source);
}

export function parseGraph(data: unknown, source = 'the file'): GraphDoc {
  if (
    typeof data === 'object' &&
    data !== null &&
    'version' in data &&
    (data as { format?: unknown }).format === GRAPH_FORMAT
  ) {
    const v = (data as { version: unknown }).version;
    if (typeof v === 'number' && v > GRAPH_VERSION)
      throw new GraphFileError(
        `${source} was written by a newer Netforge (graph format version ${v}; this one reads up to ${GRAPH_VERSION}). Update Netforge to open it.`,
      );
  }
  const r = graphDocSchema.safeParse(data);
  if (!r.success) {
    const first = r.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new GraphFileError(
      `${source} is not a Netforge graph (format "${GRAPH_FORMAT}", version ${GRAPH_VERSION}): ${first.join('; ')}.`,
    );
  }
  return r.data;
}
