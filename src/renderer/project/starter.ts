// What a new project holds: one Input layer, so the first layer dragged from the
// palette has something to connect to.
import { addNode } from '../../shared/graph/ops.ts';
import { emptyGraph, type GraphDoc } from '../../shared/graph/types.ts';
import { newProject, type Project } from '../../shared/project.ts';

/** A new network's name until the user gives one (in the inspector, or by saving the project). */
export const UNTITLED = 'Untitled';

export function starterGraph(name = UNTITLED): GraphDoc {
  return addNode(emptyGraph(name), 'input', { position: { x: 0, y: 0 } }).doc;
}

export const starterProject = (): Project => newProject(starterGraph());
