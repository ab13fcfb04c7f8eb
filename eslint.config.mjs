import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const nodeBuiltins = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'readline',
  'stream',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

/**
 * What ships (src/, workflows/, activities/, worker/) never imports what does not: the stand-ins in
 * sim/, the tests, or the scripts. The production image holds none of them.
 */
const notShipped = [
  {
    group: ['**/sim', '**/sim/**', '**/test', '**/test/**', '**/scripts', '**/scripts/**'],
    message: 'Shipped code must not import sim/, test/ or scripts/: they are not in the build or the image.',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'lib/', '.tools/', '.data/', 'coverage/', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts', 'activities/**/*.ts', 'worker/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: notShipped }] },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no I/O, no Node APIs, no SDKs with side
    // effects. It may import types from anywhere and pure functions from src/domain.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins
            .flatMap((name) => [name, `node:${name}`])
            .map((name) => ({
              name,
              message: 'Workflow code is deterministic: do I/O in an activity.',
            })),
          patterns: [
            ...notShipped,
            {
              group: ['@temporalio/activity', '@temporalio/client', '@temporalio/worker', '@temporalio/testing'],
              message: 'Workflows use @temporalio/workflow only.',
            },
            {
              group: ['**/src/*', '!**/src/domain', '!**/src/domain/*'],
              allowTypeImports: true,
              message: 'Workflows may import runtime code from src/domain only (types from anywhere).',
            },
            {
              group: ['**/activities', '**/activities/*'],
              allowTypeImports: true,
              message: 'Import activity types only.',
            },
            { group: ['@aws-sdk/*', 'nodemailer', 'bcrypt', 'pino', 'zod'], message: 'Not in the workflow sandbox.' },
          ],
        },
      ],
    },
  },
  // Formatting is prettier's (`npm run format`, checked by `npm run lint`): no stylistic lint rules.
  prettier,
);
