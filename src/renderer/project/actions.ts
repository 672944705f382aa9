// What the toolbar, dialogs and shortcuts do with whole projects. Every failure
// ends in a notice that says what happened; the open project stays as it was.
// Each takes the page's Host (src/renderer/host/host.ts): its engine reads and
// writes the project folder, and it asks before unsaved work is thrown away.
import { projectNameSchema } from '../../shared/api.ts';
import {
  newProject,
  parseProject,
  ProjectFileError,
  serializeProject,
  type Project,
} from '../../shared/project.ts';
import type { Template } from '../../shared/templates/index.ts';
import { hasProjectFolder, type Host } from '../host/host.ts';
import { useStore } from '../store/store.ts';
import { arrangeForCanvas } from '../layout/layout-current.ts';
import { forgetAutosave } from './persistence.ts';
import { starterProject, UNTITLED } from './starter.ts';
import { commitDoc } from '../store/doc-fields.ts';

const store = () => useStore.getState();

const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Asks before unsaved changes are thrown away; true when it is fine to go on. */
export async function confirmDiscard(host: Host): Promise<boolean> {
  const { dirty, projectName, doc } = store();
  if (!dirty) return true;
  return host.confirm(
    `"${projectName ?? doc.name}" has unsaved changes. Discard them and continue?`,
  );
}

/** New: the starter project, with the Training form's defaults. */
export async function startNewProject(host: Host): Promise<boolean> {
  if (!(await confirmDiscard(host))) return false;
  store().openProject(starterProject(), null);
  forgetAutosave(false);
  return true;
}

export async function openTemplate(host: Host, t: Template): Promise<boolean> {
  if (!(await confirmDiscard(host))) return false;
  // Laid out the way the user chose (by default in columns that fill the canvas's width).
  store().openProject(newProject(await arrangeForCanvas(t.build())), null);
  forgetAutosave(false);
  store().notify('info', `Opened the ${t.title} template (${t.section}).`);
  return true;
}

/**
 * Parses first, so a bad file never replaces the open project (and the user is
 * asked about unsaved changes only when there is something to open instead).
 */
export async function openProjectText(
  host: Host,
  text: string,
  source: string,
  name: string | null,
): Promise<boolean> {
  let project: Project;
  try {
    project = parseProject(text, source);
  } catch (e) {
    const message = e instanceof ProjectFileError ? e.message : `${source}: ${reasonOf(e)}`;
    store().notify('error', `${message} Your open project was not changed.`);
    return false;
  }
  if (!(await confirmDiscard(host))) return false;
  store().openProject(project, name);
  forgetAutosave(false);
  store().notify('info', `Opened "${project.name}".`);
  return true;
}

export async function openFromFolder(host: Host, name: string): Promise<boolean> {
  const engine = host.engine;
  if (!hasProjectFolder(engine)) {
    store().notify('error', 'There is no project folder here: use "Open file…" instead.');
    return false;
  }
  let text: string;
  try {
    text = (await engine.call('projects.read', { name })).text;
  } catch (e) {
    store().notify('error', `Could not read project "${name}": ${reasonOf(e)}`);
    return false;
  }
  return openProjectText(host, text, `Project "${name}"`, name);
}

export async function openFile(host: Host, file: File): Promise<boolean> {
  let text: string;
  try {
    text = await file.text();
  } catch (e) {
    store().notify('error', `Could not read "${file.name}": ${reasonOf(e)}`);
    return false;
  }
  return openProjectText(host, text, `"${file.name}"`, null);
}

/** Null for a name the project folder accepts, else what to change. */
export function checkProjectName(name: string): string | null {
  if (!name.trim()) return 'Enter a name for the project.';
  if (projectNameSchema.safeParse(name).success) return null;
  return 'Use letters, digits, spaces, _ . and - (at most 100), starting with a letter or digit.';
}

/** A name the project folder accepts, made from the graph's title. */
export function suggestProjectName(title: string): string {
  const cleaned = title
    .replace(/[^A-Za-z0-9 _.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 100);
  return cleaned || 'untitled';
}

export async function saveToFolder(host: Host, name: string): Promise<boolean> {
  const problem = checkProjectName(name);
  if (problem) {
    store().notify('error', problem);
    return false;
  }
  const engine = host.engine;
  if (!hasProjectFolder(engine)) {
    store().notify('error', 'There is no project folder here: use "Download file" instead.');
    return false;
  }
  // A network still called "Untitled" takes the project's name: the name the user just gave is
  // the one the project, its runs and the title then show (an undoable rename, like any other).
  const unnamed = store().doc.name === UNTITLED;
  if (unnamed) commitDoc({ name });
  try {
    await engine.call('projects.write', {
      name,
      text: serializeProject(store().currentProject(name)),
    });
  } catch (e) {
    if (unnamed) store().undo();
    store().notify('error', `Could not save "${name}": ${reasonOf(e)} Your work is still open.`);
    return false;
  }
  store().markSaved(name);
  forgetAutosave(true);
  store().notify('info', `Saved "${name}".`);
  return true;
}

/** Save: to the project's name in the folder; 'needs-name' means ask (Save As). */
export async function saveProject(host: Host): Promise<'saved' | 'failed' | 'needs-name'> {
  const name = store().projectName;
  if (!name) return 'needs-name';
  return (await saveToFolder(host, name)) ? 'saved' : 'failed';
}

/** Browser mode without a folder: hand the file to the browser's downloads. */
export function downloadProject(fileStem: string): void {
  if (store().doc.name === UNTITLED) commitDoc({ name: fileStem }); // as saveToFolder does
  const text = serializeProject(store().currentProject(fileStem));
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `${fileStem}.netforge.json`;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoke later: some browsers start the download only after click() returns.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
  useStore.setState({ dirty: false });
  forgetAutosave(true);
  store().notify('info', `Downloaded ${link.download}.`);
}

/**
 * Opens the reopened run's network as a new project with the settings it was trained with, to
 * change and train again (asks first if the open project has unsaved changes).
 */
export async function editRunAgain(host: Host): Promise<boolean> {
  const run = store().run;
  if (!run?.graph || !(await confirmDiscard(host))) return false;
  const { graph, config, runId } = run;
  // The run trained on config.dataset, whatever the graph named then.
  const project = newProject(config ? { ...graph, dataset: config.dataset } : graph);
  if (config) {
    const { dataset: _graphs, ...training } = config;
    project.training = training;
  }
  store().openProject(project, null);
  forgetAutosave(false);
  store().showCentre('canvas');
  store().notify('info', `Opened the network of run ${runId ?? ''} with its settings.`);
  return true;
}
