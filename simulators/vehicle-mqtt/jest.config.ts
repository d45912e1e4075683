export default {
  displayName: 'sim-vehicle',
  preset: '../../jest.preset.js',
  rootDir: '.',
  // aedes 1.x ships ES modules only and Jest (CommonJS, Node < 24.9) cannot require them: the tests'
  // in-process broker is transpiled to CommonJS by ts-jest (allowJs). Everything else as in the preset.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
    '/node_modules/aedes/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', esModuleInterop: true, resolveJsonModule: true, isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!aedes/)'],
};
