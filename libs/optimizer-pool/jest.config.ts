export default {
  displayName: 'optimizer-pool',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
