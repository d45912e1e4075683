export default {
  displayName: 'model',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
