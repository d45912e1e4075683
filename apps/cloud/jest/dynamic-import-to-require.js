// Jest transform for PGlite's CommonJS build, which loads Node modules with `await import("fs/promises")` and the
// like: Jest's module sandbox refuses dynamic import() without --experimental-vm-modules. Each literal import("x")
// becomes a promise of require("x"), through the module's own require captured at the top (PGlite declares a
// local `var require` in some functions, which would shadow it there).
const crypto = require('node:crypto');

const DYNAMIC_IMPORT = /(?<![\w$.])import\((["'])([^"']+)\1\)/g;

module.exports = {
  process(source) {
    const code = 'const __pssModuleRequire = require;\n' + source.replace(DYNAMIC_IMPORT, (_m, quote, id) => `Promise.resolve(__pssModuleRequire(${quote}${id}${quote}))`);
    return { code };
  },
  getCacheKey(source, path) {
    return crypto.createHash('sha256').update('dynamic-import-to-require/1\0').update(path).update('\0').update(source).digest('hex');
  },
};
