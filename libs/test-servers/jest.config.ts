export default {
  displayName: 'test-servers',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
