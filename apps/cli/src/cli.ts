// pss: the command line of MODEL.md section 5. runCli is the whole program minus process I/O.
import { ValidationError, formatIssue } from '@pss/model';
import { SearchLimitError } from '@pss/optimizer';
import { CliIo, EXIT, UsageError } from './io';
import { evaluateCommand, evaluateHelp } from './commands/evaluate';
import { importanceCommand, importanceHelp } from './commands/importance';
import { networkCommand, networkHelp } from './commands/network';
import { optimizeCommand, optimizeHelp } from './commands/optimize';
import { validateCommand, validateHelp } from './commands/validate';

const COMMANDS: Record<string, { run: (argv: string[], io: CliIo) => number | Promise<number>; help: string }> = {
  validate: { run: validateCommand, help: validateHelp },
  importance: { run: importanceCommand, help: importanceHelp },
  evaluate: { run: evaluateCommand, help: evaluateHelp },
  optimize: { run: optimizeCommand, help: optimizeHelp },
  network: { run: networkCommand, help: networkHelp },
};

export const USAGE = `pss: product-service system configuration (see docs/cli.md)

Usage: npm run -s pss -- COMMAND [options]

${Object.values(COMMANDS)
  .map((c) => c.help)
  .join('\n\n')}

Exit codes: 0 ok, 1 evaluate found a violation, 2 invalid input or usage, 3 too large for the algorithm, 70 internal error.
`;

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE);
    return name ? EXIT.ok : EXIT.invalid;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`pss: unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
    return EXIT.invalid;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.help + '\n');
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    return reportError(name, error, io);
  }
}

function reportError(command: string, error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    io.err(`pss ${command}: ${error.message} (see: pss ${command} --help)\n`);
    return EXIT.invalid;
  }
  if (error instanceof ValidationError) {
    // One line for machines; `pss validate` lists every problem.
    const [first, ...more] = error.issues;
    const where = error.source ? `${error.source}: ` : '';
    const rest = more.length ? ` (and ${more.length} more: run pss validate${error.source ? ` ${error.source}` : ''})` : '';
    io.err(`pss ${command}: ${where}${first ? formatIssue(first) : 'invalid'}${rest}\n`);
    return EXIT.invalid;
  }
  if (error instanceof SearchLimitError) {
    io.err(`pss ${command}: ${error.message}\n`);
    return EXIT.tooLarge;
  }
  // A bug, not bad input: say so plainly, keep the stack for whoever reports it.
  const detail = error instanceof Error ? (process.env.PSS_DEBUG ? error.stack : error.message) : String(error);
  io.err(`pss ${command}: internal error: ${detail}\n(please report it with the input file; PSS_DEBUG=1 shows the stack)\n`);
  return EXIT.internal;
}
