import type { StateCreator } from 'zustand';
import { newProject, type Project } from '../../shared/project.ts';
import type { Store } from './store.ts';

export interface ProjectSlice {
  /** The open project's name in the project folder, or null until saved. */
  projectName: string | null;
  /** Settings and runs of the open project (the graph lives in `doc`). */
  project: Project;
  /** Unsaved changes since the last save or open. */
  dirty: boolean;
  /** Opens a project: its graph becomes the document, history is cleared. */
  openProject: (p: Project, name: string | null) => void;
  /** The project as it would be saved now. */
  currentProject: () => Project;
  markSaved: (name: string) => void;
}

export const createProjectSlice: StateCreator<Store, [], [], ProjectSlice> = (set, get) => ({
  projectName: null,
  project: newProject(
    get()?.doc ?? { format: 'netforge-graph', version: 1, name: 'Untitled', nodes: [], edges: [] },
  ),
  dirty: false,
  openProject: (p, name) => {
    get().loadDoc(p.graph);
    set({ project: p, projectName: name, dirty: false });
  },
  currentProject: () => {
    const { project, doc } = get();
    return { ...project, name: doc.name, graph: doc };
  },
  markSaved: (name) => set({ projectName: name, dirty: false }),
});
