// Save writes the name the user gave: "my small cnn" is the project's name in the file, and a
// network still called "Untitled" takes it too; a named network keeps its own name.
import { beforeEach, describe, expect, it } from 'vitest';
import { parseProject } from '../../src/shared/project.ts';
import { getTemplate } from '../../src/shared/templates/index.ts';
import { newProject } from '../../src/shared/project.ts';
import { saveProject, saveToFolder } from '../../src/renderer/project/actions.ts';
import { starterProject } from '../../src/renderer/project/starter.ts';
import { useStore } from '../../src/renderer/store/store.ts';
import { fakeHost, type FakeHost } from './fake-host.ts';

let fake: FakeHost;
let written: { name: string; text: string }[];
const state = () => useStore.getState();

beforeEach(() => {
  written = [];
  fake = fakeHost({
    'projects.write': (p) => {
      written.push({ name: p.name, text: p.text });
      return { name: p.name };
    },
  });
});

describe('Save As', () => {
  it('a new project saved as "my small cnn" holds that name, and so does its network', async () => {
    state().openProject(starterProject(), null);
    expect(state().doc.name).toBe('Untitled');
    expect(await saveToFolder(fake.host, 'my small cnn')).toBe(true);
    const saved = parseProject(written[0]!.text);
    expect(written[0]!.name).toBe('my small cnn');
    expect(saved.name).toBe('my small cnn');
    expect(saved.graph.name).toBe('my small cnn');
    expect(state().doc.name).toBe('my small cnn');
    expect(state().dirty).toBe(false);
    // Save again: the same name, without asking.
    expect(await saveProject(fake.host)).toBe('saved');
    expect(parseProject(written[1]!.text).name).toBe('my small cnn');
  });

  it('a named network keeps its name; the project takes the one given', async () => {
    state().openProject(newProject(getTemplate('lenet5')!.build()), null);
    expect(await saveToFolder(fake.host, 'my lenet')).toBe(true);
    const saved = parseProject(written[0]!.text);
    expect(saved.name).toBe('my lenet');
    expect(saved.graph.name).toBe('LeNet-5');
  });

  it('a save that fails leaves the network as it was', async () => {
    state().openProject(starterProject(), null);
    fake.handlers['projects.write'] = () => {
      throw new Error('disk full');
    };
    expect(await saveToFolder(fake.host, 'my small cnn')).toBe(false);
    expect(state().doc.name).toBe('Untitled');
    expect(state().projectName).toBeNull();
  });
});
