export default {
  displayName: 'documents',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
