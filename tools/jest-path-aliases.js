// Maps the tsconfig.base.json path aliases (@pss/*) to source files for Jest.
const path = require('path');
const { compilerOptions } = require('../tsconfig.base.json');

const aliases = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  aliases[`^${alias.replace('/', '\\/')}$`] = path.join(__dirname, '..', target);
}
module.exports = aliases;
