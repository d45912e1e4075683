// One ESLint config for the workspace. Module boundaries are errors: dependencies point
// apps -> adapters -> domain, and domain libraries import no framework and no I/O.
import nx from '@nx/eslint-plugin';

const nodeBuiltins = [
  'fs', 'fs/promises', 'path', 'os', 'net', 'http', 'https', 'child_process', 'worker_threads',
  'dgram', 'tls', 'cluster', 'readline', 'stream', 'process',
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/tmp', '**/coverage', '**/.nx'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:adapter', 'type:domain', 'type:testing'] },
            { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:adapter', 'type:domain'] },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain'],
              // Pure libraries: parsing and math only. Frameworks, brokers, databases are adapters' business.
              allowedExternalImports: ['yaml', 'fast-check'],
            },
            { sourceTag: 'type:simulator', onlyDependOnLibsWithTags: ['type:adapter', 'type:domain', 'type:testing'] },
            // Test harnesses (real servers on free ports): imported by spec files only; they depend on nothing of ours.
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: [] },
            // Workspace tooling (tests of the workspace itself, generators) may look at everything.
            { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:app', 'type:adapter', 'type:domain', 'type:testing'] },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      // Validated documents guarantee their references; a fallback after a map lookup would hide a bug.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Domain libraries must not reach Node's I/O modules either (the boundary rule covers npm packages).
    // Their tests may: they read fixtures from disk.
    files: ['libs/model/**/*.ts', 'libs/optimizer/**/*.ts', 'libs/triggers/**/*.ts', 'libs/protocol/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.flatMap((name) => [
            { name, message: 'Domain libraries do no I/O: move this to an adapter.' },
            { name: `node:${name}`, message: 'Domain libraries do no I/O: move this to an adapter.' },
          ]),
        },
      ],
    },
  },
];
