import { lifecycleRules } from '../policy/lifecycle.ts';
import { ConfigurationError } from '../hosts/configuration-error.ts';
import { parseCommandLine, usageError } from './args.ts';
import { readCommandPolicy } from './command-policy.ts';

export const LIFECYCLE = {
  name: 'lifecycle',
  usage: `usage: residency-proxy lifecycle [--policy FILE] [--extra-days N]

Prints, as JSON, the S3 and Azure native lifecycle rules equivalent to the
policy's retention: a backstop for stores the sweep cannot reach.

  --policy FILE     the policy (default: RESIDENCY_POLICY, else the development policy)
  --extra-days N    days added to each retention, so the sweep acts first (default 0)
  -h, --help        print this help
`,
  options: { policy: { type: 'string' }, 'extra-days': { type: 'string' } },
} as const;

/** `residency-proxy lifecycle`: the S3 and Azure native lifecycle rules equivalent to the policy's retention, as JSON. */
export async function lifecycleCommand(argv: string[], env = process.env, out = process.stdout, err = process.stderr): Promise<number> {
  const parsed = parseCommandLine(LIFECYCLE, argv, out, err);
  if ('exitCode' in parsed) return parsed.exitCode;
  const { policy: policyFlag, 'extra-days': extraDaysFlag = '0' } = parsed.values;
  if (!/^\d+$/.test(extraDaysFlag)) return usageError(LIFECYCLE, `--extra-days must be a whole number, not "${extraDaysFlag}"`, err);
  try {
    const { policy } = await readCommandPolicy(policyFlag, env);
    out.write(`${JSON.stringify(lifecycleRules(policy, Number(extraDaysFlag)), null, 2)}\n`);
    return 0;
  } catch (error) {
    err.write(`${error instanceof ConfigurationError ? error.errors.join('\n') : String(error)}\n`);
    return 1;
  }
}
