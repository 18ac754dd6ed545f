// @ts-check
import eslint from '@eslint/js';
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
 * Keeps the dependency direction of docs/design.md, "Layers": domain ← workflows; domain ← activities ← adapters/db.
 * Type-only imports may cross (a workflow names its activities' types, never their code).
 */
const boundary = (group, allowTypeImports = false) => ({
  'no-restricted-imports': 'off',
  '@typescript-eslint/no-restricted-imports': [
    'error',
    {
      patterns: [{ group, allowTypeImports, message: 'crosses a layer boundary (docs/design.md, "Layers")' }],
    },
  ],
});

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
    files: ['domain/**/*.ts'],
    rules: boundary([
      ...io,
      '**/workflows/**',
      '**/activities/**',
      '**/adapters/**',
      '**/db/**',
      '**/api/**',
      '**/worker/**',
      '**/config/**',
    ]),
  },
  {
    files: ['workflows/**/*.ts'],
    rules: boundary(
      [
        ...io.filter((m) => m !== '@temporalio/*'),
        '@temporalio/client',
        '@temporalio/worker',
        '@temporalio/activity',
        '**/activities/**',
        '**/adapters/**',
        '**/db/**',
        '**/api/**',
        '**/worker/**',
        '**/config/**',
      ],
      true,
    ),
  },
  {
    files: ['activities/**/*.ts', 'adapters/**/*.ts', 'db/**/*.ts'],
    rules: boundary(['**/workflows/**', '!**/workflows/messages', '**/api/**', '**/worker/**'], true),
  },
);
