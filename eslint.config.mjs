// ESLint for the whole project: `npm run lint` (and `npm test`, which runs it).
// typescript-eslint's recommended set (without type information: tsc already type-checks in `npm test`, and
// the type-aware rules would build a whole TypeScript program again on a 2-core machine), the folder
// boundaries from DESIGN.md ("Layout and boundaries", through eslint-plugin-boundaries) and the project's own
// rule, eslint-rules/no-swallowed-catch.js. test/lint/ proves that each boundary rule fails when broken.
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import hsug from './eslint-rules/index.js';

/** The feature folders under src/ (everything that is not lib/, db/ or a top-level file). */
const FEATURES = ['events', 'bookings', 'payments', 'calendar', 'mail', 'members', 'admin', 'finance', 'announcements', 'privacy', 'certificates', 'feedback', 'online', 'jobs', 'cli', 'web'];
const anyFeature = { element: { types: { anyOf: FEATURES } } };
const anyAppCode = { element: { types: { anyOf: [...FEATURES, 'lib', 'db', 'app', 'sandbox'] } } };


export default defineConfig(
  {
    ignores: ['node_modules/', 'var/', 'coverage/', 'public/', 'views/', 'bench/results/', 'test-results/'],
  },
  {
    // A disable comment that no longer silences anything fails, so exceptions do not outlive their reason.
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{ts,js,mjs,cjs}'],
    languageOptions: {
      ecmaVersion: 2022,
      globals: globals.node,
    },
    plugins: { hsug },
    rules: {
      'hsug/no-swallowed-catch': 'error',
      // Unused names are mistakes, except deliberate placeholders such as `_req` and rest siblings.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['eslint-rules/**/*.js', 'jest.config.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/**/*.ts', 'migrations/**/*.ts', 'sandbox/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { node: { extensions: ['.ts', '.js', '.json'] } },
      // Static imports and re-exports are checked, and dynamic import() too so that a feature cannot be
      // reached around the rule; only the sandbox rule lets import() through (it is started on demand).
      'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import', 'require'],
      // First match wins, so the sandbox (under payments/ until it moves) is classified before payments.
      'boundaries/elements': [
        { type: 'sandbox', pattern: ['sandbox'], partialMatch: false },
        ...FEATURES.map((name) => ({ type: name, pattern: `src/${name}`, partialMatch: false })),
        { type: 'lib', pattern: 'src/lib', partialMatch: false },
        { type: 'db', pattern: 'src/db', partialMatch: false },
        // The top-level files (app.ts, server.ts, config.ts, context.ts): what the folders above leave of src/.
        { type: 'app', pattern: 'src', partialMatch: false },
        { type: 'migrations', pattern: 'migrations', partialMatch: false },
      ],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'allow',
          policies: [
            {
              from: { element: { types: { anyOf: ['lib', 'db'] } } },
              disallow: { to: anyFeature },
              message: 'lib/ and db/ are the shared kernel: they import no feature folder (DESIGN.md, Layout and boundaries).',
            },
            {
              from: { element: { type: 'jobs' } },
              disallow: { to: anyFeature },
              message: 'jobs/ runs work that features register; it imports no feature (DESIGN.md, Layout and boundaries).',
            },
            {
              from: { element: { type: 'bookings' } },
              disallow: { to: { element: { type: 'payments' } } },
              message: 'bookings/ never imports payments/: it reaches Stripe through the PaymentGateway port on the service context.',
            },
            {
              from: { element: { types: { anyOf: [...FEATURES, 'lib', 'db', 'app'] } } },
              // A type-only import is erased at compile time, and import() loads the sandbox only when it is started.
              disallow: { to: { element: { type: 'sandbox' } }, dependency: { kind: 'value', nodeKind: ['import', 'export', 'require'] } },
              message: 'Nothing under src/ loads the Stripe sandbox statically: production never loads it (use a dynamic import()).',
            },
            {
              from: { element: { type: 'migrations' } },
              disallow: { to: anyAppCode },
              message: 'Migrations never import app code: a shipped migration must not change when the app does.',
            },
          ],
        },
      ],
    },
  },
);
