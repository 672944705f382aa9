// @ts-check
// Flat config. Not type-aware on purpose: `npm run lint` stays fast and
// `npm run typecheck` already runs the compiler.
import { builtinModules } from 'node:module';

import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** `fs`, `path`, `fs/promises`, ... as bare names; `node:*` is caught by a pattern below. */
const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('node:'));

const noElectron = [
  { name: 'electron', message: 'Only src/main/desktop and src/preload may import electron.' },
];
const noElectronPattern = {
  group: ['electron/*'],
  message: 'Only src/main/desktop and src/preload may import electron.',
};
const noNodePattern = { group: ['node:*'], message: 'Node built-ins are not available here.' };
const noNodeBuiltins = nodeBuiltins.map((name) => ({
  name,
  message: 'Node built-ins are not available here.',
}));

export default defineConfig([
  globalIgnores(['out/', 'dist/', 'node_modules/', 'coverage/']),

  js.configs.recommended,
  tseslint.configs.recommended,

  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
    },
  },

  {
    files: ['src/main/**', 'bin/**', 'test/**', 'e2e/**', '*.config.*'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['src/renderer/**', 'src/preload/**'],
    languageOptions: { globals: globals.browser },
  },

  // src/shared is pure TypeScript imported by every process (docs/architecture.md).
  // tfjs is allowed as `import type` only: the engine passes `tf` in at runtime.
  {
    files: ['src/shared/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...noElectron,
            { name: 'react', message: 'src/shared must not depend on React.' },
            { name: 'react-dom', message: 'src/shared must not depend on React.' },
            ...noNodeBuiltins,
          ],
          patterns: [
            noElectronPattern,
            { group: ['react/*', 'react-dom/*'], message: 'src/shared must not depend on React.' },
            noNodePattern,
            {
              group: ['@tensorflow/*'],
              allowTypeImports: true,
              message:
                'src/shared may use tfjs types only (`import type`); take `tf` as a parameter.',
            },
          ],
        },
      ],
    },
  },

  // Everything in src/main but the Electron shell (desktop/) is plain Node, so the engine, the
  // server and the CLI run under vitest, in a terminal and in a child process.
  {
    files: ['src/main/**'],
    ignores: ['src/main/desktop/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: noElectron, patterns: [noElectronPattern] },
      ],
    },
  },

  // The renderer reaches the rest of the app only through window.netforge (or, later, a WebSocket).
  {
    files: ['src/renderer/**'],
    ...reactHooks.configs.flat.recommended,
    rules: {
      ...reactHooks.configs.flat.recommended.rules,
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...noElectron, ...noNodeBuiltins],
          patterns: [
            noElectronPattern,
            noNodePattern,
            {
              group: ['**/main/**', '**/preload/**'],
              message: 'The renderer talks to main only through window.netforge.',
            },
          ],
        },
      ],
    },
  },
]);
