import { parseArgs } from 'node:util';
import { lifecycleRules } from '../policy/lifecycle.ts';
import { ConfigurationError } from '../hosts/configuration-error.ts';
import { readNodePolicy } from '../hosts/node-policy.ts';

const USAGE = 'usage: residency-proxy lifecycle [--policy FILE] [--extra-days N]\n';

/** `residency-proxy lifecycle`: the S3 and Azure native lifecycle rules equivalent to the policy's retention, as JSON. */
export async function lifecycleCommand(argv: string[], env = process.env, out = process.stdout, err = process.stderr): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: argv, options: { policy: { type: 'string' }, 'extra-days': { type: 'string', default: '0' } }, strict: true }).values;
  } catch (error) {
    err.write(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const extraDays = Number(args['extra-days']);
  if (!Number.isInteger(extraDays) || extraDays < 0) {
    err.write(`--extra-days must be a whole number\n${USAGE}`);
    return 2;
  }
  try {
    const { policy } = await readNodePolicy(args.policy ?? (env.RESIDENCY_POLICY || undefined), env);
    out.write(`${JSON.stringify(lifecycleRules(policy, extraDays), null, 2)}\n`);
    return 0;
  } catch (error) {
    err.write(`${error instanceof ConfigurationError ? error.errors.join('\n') : String(error)}\n`);
    return 1;
  }
}
