// @ts-check
import eslint from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const io = [
  'pg',
  'pg-*',
  'node:*',
  'fs',
  'net',
  'http',
  'https',
  'child_process',
  'express',
  'pino*',
  '@temporalio/*',
];

/**
 * Temporal's message types (@temporalio/common and the like) are plain data and may cross into
 * contracts and workflows; its client, worker and activity runtimes are I/O like the rest.
 */
const ioButMessages = [
  ...io.filter((m) => m !== '@temporalio/*'),
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
];

/** The outer layers that talk to the world; nothing inward of activities may reach them. */
const outer = ['**/adapters/**', '**/db/**', '**/api/**', '**/worker/**', '**/config/**'];

/**
 * Keeps the dependency direction of docs/design.md, "Layers": domain ← contracts ← workflows; contracts
 * ← activities ← adapters/db; api and worker at the edges. `group` may not be imported at all; `typesOf` only for its
 * types (a workflow names its activities' types, never their code).
 */
const boundary = (group, typesOf = []) => {
  const message = 'crosses a layer boundary (docs/design.md, "Layers")';
  const patterns = [{ group, message }];
  if (typesOf.length) patterns.push({ group: typesOf, allowTypeImports: true, message });
  return {
    'no-restricted-imports': 'off',
    '@typescript-eslint/no-restricted-imports': ['error', { patterns }],
  };
};

export default tseslint.config(
  {
    ignores: ['node_modules/', '.tools/', '.data/', 'dist/', 'coverage/', '*.config.js', 'eslint.config.mjs'],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // A cycle means two modules are one module in two files, and a workflow bundle that loads in the
    // wrong order sees an import as undefined; type-only cycles are allowed (they vanish at run time).
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true, allowUnsafeDynamicCyclicDependency: false }],
      // One import per module: two lines from the same contract hide which names a file depends on.
      'import-x/no-duplicates': ['error', { 'prefer-inline': true }],
    },
  },
  {
    files: ['domain/**/*.ts'],
    rules: boundary([...io, '**/contracts/**', '**/workflows/**', '**/activities/**', ...outer]),
  },
  {
    // What crosses a boundary: messages and payload types over the domain's types, nothing that runs.
    files: ['contracts/**/*.ts'],
    rules: boundary([...ioButMessages, '**/workflows/**', '**/activities/**', ...outer]),
  },
  {
    files: ['workflows/**/*.ts'],
    rules: boundary([...ioButMessages, ...outer], ['**/activities/**']),
  },
  {
    files: ['activities/**/*.ts', 'adapters/**/*.ts', 'db/**/*.ts'],
    // Contracts freely; workflow code only by its types.
    rules: boundary(['**/api/**', '**/worker/**'], ['**/workflows/**']),
  },
  {
    // The API starts and asks workflows through the client; it never runs their activities or providers.
    files: ['api/**/*.ts'],
    rules: boundary(['**/activities/**', '**/adapters/**', '**/worker/**', '@temporalio/worker']),
  },
  {
    files: ['worker/**/*.ts'],
    rules: boundary(['**/api/**']),
  },
);
