export default {
  displayName: 'sim-elevator',
  preset: '../../jest.preset.js',
  rootDir: '.',
  // node-opcua 2.182 requires two packages that ship ES modules only (hexy, chalk-template), and
  // Jest (CommonJS, Node < 24.9) cannot require them: ts-jest (allowJs) transpiles just those to
  // CommonJS, as simulators/vehicle-mqtt does for aedes. Everything else as in the preset.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
    '/node_modules/(hexy|chalk-template)/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', esModuleInterop: true, resolveJsonModule: true, isolatedModules: true } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(hexy|chalk-template)/)'],
  // No testTimeout here: run from the workspace root (projects), Jest ignores it per project; the
  // specs that start servers call jest.setTimeout themselves.
};
