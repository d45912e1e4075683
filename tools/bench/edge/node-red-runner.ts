// Node-RED embedded in a process of its own (the Node-RED system's child process): the runtime only, no editor,
// no admin API, no HTTP nodes, logging at warn. Reports {type: 'ready'} over IPC once the flows are started and
// stops cleanly on SIGTERM.
//
//   node --import tsx tools/bench/edge/node-red-runner.ts <userDir> <flowFile>
import { createRequire } from 'node:module';

/** The part of the `node-red` module's API used here (the package ships no type declarations). */
interface NodeRedApi {
  init(settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function main(): Promise<void> {
  const [userDir, flowFile] = process.argv.slice(2);
  if (!userDir || !flowFile) throw new Error('usage: node-red-runner.ts <userDir> <flowFile>');
  const RED = createRequire(__filename)('node-red') as NodeRedApi;
  RED.init({
    userDir,
    flowFile,
    httpAdminRoot: false,
    httpNodeRoot: false,
    disableEditor: true,
    // No credentials in the flow: nothing to encrypt, and no generated key written to userDir.
    credentialSecret: false,
    logging: { console: { level: 'warn', metrics: false, audit: false } },
    telemetry: { enabled: false },
    editorTheme: { projects: { enabled: false } },
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
    functionExternalModules: false,
  });
  await RED.start();
  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    RED.stop()
      .catch((e: unknown) => console.error(`node-red stop failed: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => process.exit(0));
  });
  process.send?.({ type: 'ready' });
}

main().catch((e: unknown) => {
  console.error(`node-red runner: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
