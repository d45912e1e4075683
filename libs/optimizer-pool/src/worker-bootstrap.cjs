// Starts a pool worker from TypeScript sources (the repository runs its apps with tsx, unbuilt):
// registers tsx in this thread, with the workspace's path aliases, then loads the worker module.
const { join } = require('path');
const { workerData } = require('worker_threads');

process.env.TSX_TSCONFIG_PATH = join(__dirname, '..', '..', '..', 'tsconfig.base.json');
require('tsx/cjs/api').register();
require(workerData.entry);
