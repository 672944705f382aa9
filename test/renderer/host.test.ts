// The Host is built once from the page's environment: the desktop app's preload bridge, the
// browser-mode address, or neither. Fake environments stand in for `window` here.
import { describe, expect, it } from 'vitest';
import type { NetforgeBridge } from '../../src/shared/bridge.ts';
import { createHost } from '../../src/renderer/host/host.ts';

describe('createHost', () => {
  it('in the desktop app: IPC, the folder picker, the file manager, and the window cannot hold its closing', async () => {
    const asked: string[] = [];
    const shown: string[] = [];
    const bridge: NetforgeBridge = {
      version: '1',
      request: () => new Promise(() => {}),
      chooseFolder: async (title) => {
        asked.push(title);
        return '/data';
      },
      showExport: async (name) => {
        shown.push(name);
        return name === 'gone.onnx' ? 'not there' : null;
      },
    };
    const host = createHost({ netforge: bridge, confirm: () => true });
    expect(host.engine.transport).toBe('ipc');
    expect(host.desktop).toBe(true);
    expect(await host.chooseFolder?.('Folder with the dataset files')).toBe('/data');
    expect(asked).toEqual(['Folder with the dataset files']);
    expect(await host.showExport?.('lenet-5.onnx')).toBeNull();
    expect(await host.showExport?.('gone.onnx')).toBe('not there');
    expect(shown).toEqual(['lenet-5.onnx', 'gone.onnx']);
  });

  it('in browser mode: the WebSocket, no picker, and the browser asks the questions', async () => {
    const questions: string[] = [];
    const host = createHost({
      location: { protocol: 'http:', host: '127.0.0.1:1', search: '?token=abc' },
      WebSocket: class {},
      confirm: (message) => {
        questions.push(message);
        return false;
      },
    });
    expect(host.engine.transport).toBe('websocket');
    expect(host.desktop).toBe(false);
    expect(host.chooseFolder).toBeUndefined();
    expect(host.showExport).toBeUndefined();
    expect(await host.confirm('Discard?')).toBe(false);
    expect(questions).toEqual(['Discard?']);
    host.engine.close();
  });

  it('without an engine or a way to ask: a none client, and nothing is thrown away unasked', async () => {
    const host = createHost({});
    expect(host.engine.transport).toBe('none');
    expect(await host.confirm('Discard?')).toBe(false);
  });
});
