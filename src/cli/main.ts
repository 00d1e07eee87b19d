import { checkCommand } from './check.ts';
import { lifecycleCommand } from './lifecycle.ts';
import { sweepCommand } from './sweep.ts';
import { tokenCommand } from './token.ts';

const USAGE = `usage: residency-proxy <command>

  serve                       run the gateway (RESIDENCY_POLICY, PORT, HOST)
  check <policy>              validate a policy file and print where each zone's data lives
  token --account A --region R [--admin] [--subject S] [--ttl SECONDS]
                              print a development token signed by ./.data/dev-keys
  sweep [--policy FILE] [--store NAME] [--dry-run] [--now ISO] [--batch N]
                              delete objects whose retention has ended (legal holds are kept)
  lifecycle [--policy FILE] [--extra-days N]
                              print the equivalent S3 / Azure native lifecycle rules
`;

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  check: checkCommand,
  token: tokenCommand,
  sweep: sweepCommand,
  lifecycle: lifecycleCommand,
  async serve() {
    await import('../hosts/node.ts');
    return -1; // keeps running until a signal
  },
};

const [name, ...argv] = process.argv.slice(2);
const command = name === undefined ? undefined : commands[name];
if (!command) {
  process.stderr.write(USAGE);
  process.exit(name === undefined || name === '--help' || name === '-h' ? 0 : 2);
} else {
  const code = await command(argv);
  if (code >= 0) process.exit(code);
}
