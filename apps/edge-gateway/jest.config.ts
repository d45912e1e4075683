export default {
  displayName: 'edge-gateway',
  preset: '../../jest.preset.js',
  rootDir: '.',
  // aedes 1.x and two of node-opcua's dependencies (hexy, chalk-template) ship ES modules only, and Jest
  // (CommonJS, Node < 24.9) cannot require them: ts-jest (allowJs) transpiles just those to CommonJS, as the
  // simulators do. Everything else as in the preset.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
    '/node_modules/(aedes|hexy|chalk-template)/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', esModuleInterop: true, resolveJsonModule: true, isolatedModules: true } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(aedes|hexy|chalk-template)/)'],
  // No testTimeout here: run from the workspace root (projects), Jest ignores it per project; the specs that
  // start servers call jest.setTimeout themselves.
};
