export default {
  displayName: 'spool',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
