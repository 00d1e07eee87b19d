import { DEV_KEYS_DIR, developmentPolicy } from '../hosts/dev-policy.ts';
import { DEV_MAX_TTL_SECONDS, ensureDevKeys, mintDevToken } from '../hosts/dev-keys.ts';
import { parseCommandLine, usageError, type Writer } from './args.ts';

export const TOKEN = {
  name: 'token',
  usage: `usage: residency-proxy token --account ACCOUNT --region REGION [--admin] [--subject SUBJECT] [--ttl SECONDS] [--keys DIR]

Prints a development token signed by the development key pair (created under
${DEV_KEYS_DIR} if missing). Only the embedded development policy trusts it.

  --account   the account_id claim
  --region    the account_region claim, e.g. GB or US
  --admin     add the admin scope (erasure routes)
  --subject   the sub claim (the calling service)
  --ttl       lifetime in seconds, 1-${DEV_MAX_TTL_SECONDS} (default 3600)
  --keys      directory of the development key pair (default ${DEV_KEYS_DIR})
  -h, --help  print this help
`,
  options: {
    account: { type: 'string' },
    region: { type: 'string' },
    admin: { type: 'boolean' },
    subject: { type: 'string' },
    ttl: { type: 'string' },
    keys: { type: 'string' },
  },
} as const;

/** `residency-proxy token`: prints a development token to stdout; returns the exit code. */
export async function tokenCommand(argv: string[], out: Writer = process.stdout, err: Writer = process.stderr): Promise<number> {
  const parsed = parseCommandLine(TOKEN, argv, out, err);
  if ('exitCode' in parsed) return parsed.exitCode;
  const { account, region, admin, subject, ttl = '3600', keys = DEV_KEYS_DIR } = parsed.values;
  if (!account) return usageError(TOKEN, '--account is required', err);
  if (!region) return usageError(TOKEN, '--region is required', err);
  const ttlSeconds = Number(ttl);
  if (!/^\d+$/.test(ttl) || ttlSeconds < 1 || ttlSeconds > DEV_MAX_TTL_SECONDS) {
    return usageError(TOKEN, `--ttl must be a whole number of seconds from 1 to ${DEV_MAX_TTL_SECONDS}`, err);
  }

  const token = await mintDevToken(await ensureDevKeys(keys), {
    account,
    region,
    ...(subject === undefined ? {} : { subject }),
    scopes: admin ? [developmentPolicy().auth.adminScope] : [],
    ttlSeconds,
  });
  out.write(`${token}\n`);
  return 0;
}
