// ESLint for the TypeScript sources (`npm run lint`, part of `npm test`): typescript-eslint's
// recommended rules, plus the promise rules that need type information — trunkgate is asynchronous
// throughout, and a promise nobody awaits or handles is how a failure goes silent.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  // Tests read JSON bodies loosely (`body.error.details[0].path`): `any` is the honest type there.
  { files: ['test/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // Plain Node scripts (the benchmark's child process).
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', global: 'readonly', console: 'readonly', setTimeout: 'readonly', URL: 'readonly' } },
  },
  // The console's browser scripts (served as they are: no build step).
  {
    files: ['src/console/assets/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'fetch',
          'EventSource',
          'Event',
          'IntersectionObserver',
          'requestAnimationFrame',
          'URLSearchParams',
          'setInterval',
          'clearInterval',
          'setTimeout',
        ].map((g) => [g, 'readonly']),
      ),
    },
  },
);
