// Test and benchmark support for the OPC UA source: the simulator as a child process, fixtures, recorders.
export * from './fixtures';
export * from './recorder';
export * from './simulator';
export * from './tcp-proxy';
