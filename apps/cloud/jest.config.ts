export default {
  displayName: 'cloud',
  preset: '../../jest.preset.js',
  rootDir: '.',
  // PGlite's CommonJS build loads Node modules with dynamic import(), which Jest's module sandbox refuses without
  // --experimental-vm-modules: a small transform turns those into require() calls. aedes 1.x (the embedded MQTT
  // broker) ships ES modules only: ts-jest (allowJs) transpiles it to CommonJS, as in apps/edge-gateway.
  // Everything else as in the preset.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
    '/node_modules/@electric-sql/pglite/dist/.+\\.cjs$': '<rootDir>/jest/dynamic-import-to-require.js',
    '/node_modules/aedes/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', esModuleInterop: true, resolveJsonModule: true, isolatedModules: true } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@electric-sql/pglite|aedes)/)'],
  // No testTimeout here: run from the workspace root (projects), Jest ignores it per project; the specs that
  // start servers call jest.setTimeout themselves.
};
