// What a new project holds: one Input layer, so the first layer dragged from the
// palette has something to connect to.
import { addNode } from '../../shared/graph/ops.ts';
import { emptyGraph, type GraphDoc } from '../../shared/graph/types.ts';
import { newProject, type Project } from '../../shared/project.ts';

export function starterGraph(name = 'Untitled'): GraphDoc {
  return addNode(emptyGraph(name), 'input', { position: { x: 0, y: 0 } }).doc;
}

export const starterProject = (): Project => newProject(starterGraph());
