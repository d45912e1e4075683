export default {
  displayName: 'cloud',
  preset: '../../jest.preset.js',
  rootDir: '.',
  // PGlite's CommonJS build loads Node modules with dynamic import(), which Jest's module sandbox refuses without
  // --experimental-vm-modules: a small transform turns those into require() calls. Everything else as in the preset.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
    '/node_modules/@electric-sql/pglite/dist/.+\\.cjs$': '<rootDir>/jest/dynamic-import-to-require.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!@electric-sql/pglite/)'],
  // No testTimeout here: run from the workspace root (projects), Jest ignores it per project; the specs that
  // start servers call jest.setTimeout themselves.
};
