import type { StateCreator } from 'zustand';
import { newProject, type Project } from '../../shared/project.ts';
import { formFrom, initialForm, savedTraining } from '../training/config.ts';
import type { Store } from './store.ts';

export interface ProjectSlice {
  /** The open project's name in the project folder, or null until saved. */
  projectName: string | null;
  /** The open project as it was opened (the graph lives in `doc`, its training settings in `form`). */
  project: Project;
  /** Unsaved changes since the last save or open: to the graph, or to the training settings. */
  dirty: boolean;
  /**
   * Opens a project: its graph becomes the document (history cleared) and its training settings
   * fill the Training form, whose other fields take their defaults; the data folder, a setting
   * of this machine, stays.
   */
  openProject: (p: Project, name: string | null) => void;
  /**
   * The project as it would be saved now: the graph and the form's valid settings, under `name`
   * (the name it is saved as; default: its name in the folder, else the network's).
   */
  currentProject: (name?: string) => Project;
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
    const form = formFrom(p.training, { ...initialForm, dataDir: get().form.dataDir });
    set({ project: p, projectName: name, dirty: false, form });
  },
  currentProject: (name) => {
    const { project, projectName, doc, form } = get();
    return {
      ...project,
      name: name ?? projectName ?? doc.name,
      graph: doc,
      training: savedTraining(form),
    };
  },
  markSaved: (name) => set({ projectName: name, dirty: false }),
});
