export default {
  displayName: 'triggers',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
