import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

import pkg from './package.json' with { type: 'json' };
import { MAIN_ENTRIES } from './src/main/host/entries.ts';

const fromRoot = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * The dev server injects inline scripts (React Refresh preamble) and <style> tags (CSS HMR),
 * which src/renderer/index.html's CSP rightly blocks. In `serve` only, Vite stamps its tags
 * with a per-run nonce (`html.cspNonce`) and this plugin adds that nonce to the CSP.
 * Production builds ship the CSP exactly as written.
 */
function devCspNonce(nonce: string): Plugin {
  return {
    name: 'netforge:dev-csp-nonce',
    apply: 'serve',
    transformIndexHtml: {
      order: 'pre',
      handler: (html) =>
        html
          .replace("script-src 'self'", `script-src 'self' 'nonce-${nonce}'`)
          .replace("style-src 'self'", `style-src 'self' 'nonce-${nonce}'`),
    },
  };
}

export default defineConfig(({ command }) => {
  const nonce = command === 'serve' ? randomBytes(16).toString('base64') : undefined;

  return {
    main: {
      build: {
        rolldownOptions: {
          // Every process Netforge starts is an entry of its own (out/main/engine.js, cli.js,
          // ...), so the app and the CLI run without tsx; see src/main/host/entries.ts.
          input: Object.fromEntries(
            Object.entries(MAIN_ENTRIES).map(([name, source]) => [name, fromRoot(source)]),
          ),
          // Shared chunks sit next to the entries: code in any chunk finds an entry at
          // ./<name>.js (host/entries.ts, engine/parallel/trainer.ts).
          output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
          // tfjs (and its native tfjs-node-gpu, an optional dependency that the default
          // externalizeDeps does not cover) must be loaded from node_modules at run time.
          external: [/^@tensorflow\//],
        },
      },
    },
    preload: {
      define: { __NETFORGE_VERSION__: JSON.stringify(pkg.version) },
      build: {
        // A sandboxed preload is a single classic script: CommonJS, dependencies bundled.
        externalizeDeps: false,
        rolldownOptions: {
          input: { index: fromRoot('src/preload/index.ts') },
          output: { format: 'cjs', entryFileNames: '[name].cjs' },
        },
      },
    },
    renderer: {
      root: fromRoot('src/renderer'),
      plugins: [react(), ...(nonce ? [devCspNonce(nonce)] : [])],
      ...(nonce ? { html: { cspNonce: nonce } } : {}),
      build: {
        rolldownOptions: {
          input: { index: fromRoot('src/renderer/index.html') },
        },
      },
    },
  };
});
