import { checkCommand, CHECK } from './check.ts';
import { lifecycleCommand, LIFECYCLE } from './lifecycle.ts';
import { serveCommand, SERVE } from './serve.ts';
import { sweepCommand, SWEEP } from './sweep.ts';
import { tokenCommand, TOKEN } from './token.ts';

const USAGE = `usage: residency-proxy <command> [options]

  serve                       run the gateway (configured by RESIDENCY_POLICY, PORT, HOST, S3_PORT, ...)
  check <policy>              validate a policy file and print where each zone's data lives
  token --account A --region R [--admin] [--subject S] [--ttl SECONDS]
                              print a development token signed by ./.data/dev-keys
  sweep [--policy FILE] [--store NAME] [--dry-run] [--now ISO] [--batch N]
                              delete objects whose retention has ended (legal holds are kept)
  lifecycle [--policy FILE] [--extra-days N]
                              print the equivalent S3 / Azure native lifecycle rules

\`residency-proxy <command> --help\` (or \`residency-proxy help <command>\`) describes one command.
`;

interface Command {
  usage: string;
  /** Resolves with the exit code, or -1 when the command keeps the process running. */
  run(argv: string[]): Promise<number>;
}

const commands: Record<string, Command> = {
  serve: { usage: SERVE.usage, run: (argv) => serveCommand(argv) },
  check: { usage: CHECK.usage, run: (argv) => checkCommand(argv) },
  token: { usage: TOKEN.usage, run: (argv) => tokenCommand(argv) },
  sweep: { usage: SWEEP.usage, run: (argv) => sweepCommand(argv) },
  lifecycle: { usage: LIFECYCLE.usage, run: (argv) => lifecycleCommand(argv) },
};

function commandNamed(name: string | undefined): Command | undefined {
  return name !== undefined && Object.hasOwn(commands, name) ? commands[name] : undefined;
}

async function main([name, ...argv]: string[]): Promise<number> {
  if (name === '--help' || name === '-h' || (name === 'help' && argv.length === 0)) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (name === 'help') {
    const topic = commandNamed(argv[0]);
    if (topic === undefined || argv.length > 1) {
      process.stderr.write(`residency-proxy help: no command named "${argv.join(' ')}"\n\n${USAGE}`);
      return 2;
    }
    process.stdout.write(topic.usage);
    return 0;
  }
  const command = commandNamed(name);
  if (command === undefined) {
    process.stderr.write(`${name === undefined ? 'residency-proxy: no command given' : `residency-proxy: unknown command "${name}"`}\n\n${USAGE}`);
    return 2;
  }
  return command.run(argv);
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
