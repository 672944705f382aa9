// What `summary`, `train` and `export` take as the network: a template name, a project file as the
// app saves it (any version: project.ts migrates it), or a bare graph file. One resolver, so the
// three commands accept the same things and say the same thing when they cannot.
import { readFile } from 'node:fs/promises';

import { GraphFileError, parseGraph, withoutBom } from '../../shared/graph/parse.ts';
import { GRAPH_FORMAT, type DatasetName, type GraphDoc } from '../../shared/graph/types.ts';
import {
  parseProject,
  PROJECT_FORMAT,
  ProjectFileError,
  type ProjectTraining,
} from '../../shared/project.ts';
import { getTemplate, TEMPLATES } from '../../shared/templates/index.ts';

export interface Design {
  graph: GraphDoc;
  /** The dataset the design names: the graph's own, else the template's. */
  dataset: DatasetName | undefined;
  /** A project's Training panel settings (train's defaults, under the flags); {} otherwise. */
  training: ProjectTraining;
  kind: 'template' | 'project' | 'graph';
}

/** What the commands take, for every message that refuses a reference. */
export const DESIGN_KINDS =
  'a template name (`netforge templates` lists them), a project file saved by the app ' +
  '(NAME.netforge.json) or a graph file (.json)';

const looksLikePath = (ref: string) => /\.json$/i.test(ref) || /[/\\]/.test(ref);

/** Loads the design `ref` names; GraphFileError (printed as is by index.ts) when it cannot. */
export async function loadDesign(ref: string): Promise<Design> {
  const template = getTemplate(ref);
  if (template) {
    const graph = template.build();
    return { graph, dataset: graph.dataset ?? template.dataset, training: {}, kind: 'template' };
  }
  let text: string;
  try {
    text = await readFile(ref, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !looksLikePath(ref))
      throw new GraphFileError(
        `"${ref}" is neither a template nor a file. Give ${DESIGN_KINDS}. ` +
          `Templates: ${TEMPLATES.map((t) => t.id).join(', ')}.`,
      );
    throw new GraphFileError(
      code === 'ENOENT'
        ? `No such file: ${ref}. Check the path; the command takes ${DESIGN_KINDS}.`
        : code === 'EISDIR'
          ? `${ref} is a folder. Give ${DESIGN_KINDS}.`
          : `Cannot read ${ref}: ${(e as Error).message}`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(withoutBom(text));
  } catch (e) {
    throw new GraphFileError(
      `${ref} is not valid JSON (${(e as Error).message}). Give ${DESIGN_KINDS}.`,
    );
  }
  const format =
    typeof data === 'object' && data !== null ? (data as { format?: unknown }).format : undefined;
  if (format === PROJECT_FORMAT) {
    try {
      const project = parseProject(text, ref);
      return {
        graph: project.graph,
        dataset: project.graph.dataset,
        training: project.training,
        kind: 'project',
      };
    } catch (e) {
      if (e instanceof ProjectFileError) throw new GraphFileError(e.message);
      throw e;
    }
  }
  if (format !== GRAPH_FORMAT)
    throw new GraphFileError(
      `${ref} is not a Netforge graph or project file: its "format" is ` +
        `${format === undefined ? 'missing' : JSON.stringify(format)}, where a project has ` +
        `"${PROJECT_FORMAT}" and a graph "${GRAPH_FORMAT}". Give ${DESIGN_KINDS}.`,
    );
  const graph = parseGraph(data, ref);
  return { graph, dataset: graph.dataset, training: {}, kind: 'graph' };
}
