#!/usr/bin/env node
import { runCli } from './cli';

void runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  now: () => Date.now(),
  errIsTty: Boolean(process.stderr.isTTY),
}).then((code) => {
  process.exitCode = code;
});
