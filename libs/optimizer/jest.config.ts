export default {
  displayName: 'optimizer',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
