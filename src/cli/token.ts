import { parseArgs } from 'node:util';
import { DEV_KEYS_DIR, developmentPolicy } from '../hosts/dev-policy.ts';
import { DEV_MAX_TTL_SECONDS, ensureDevKeys, mintDevToken } from '../hosts/dev-keys.ts';

const USAGE = `usage: residency-proxy token --account ACCOUNT --region REGION [--admin] [--subject SUBJECT] [--ttl SECONDS] [--keys DIR]

Prints a development token signed by the development key pair (created under
${DEV_KEYS_DIR} if missing). Only the embedded development policy trusts it.

  --account   the account_id claim
  --region    the account_region claim, e.g. GB or US
  --admin     add the admin scope (erasure routes)
  --subject   the sub claim (the calling service)
  --ttl       lifetime in seconds, 1-${DEV_MAX_TTL_SECONDS} (default 3600)
  --keys      directory of the development key pair (default ${DEV_KEYS_DIR})
`;

/** `residency-proxy token`: prints a development token to stdout; returns the exit code. */
export async function tokenCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        account: { type: 'string' },
        region: { type: 'string' },
        admin: { type: 'boolean', default: false },
        subject: { type: 'string' },
        ttl: { type: 'string', default: '3600' },
        keys: { type: 'string', default: DEV_KEYS_DIR },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return usageError((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!values.account) return usageError('--account is required');
  if (!values.region) return usageError('--region is required');
  const ttlSeconds = Number(values.ttl);
  if (!/^\d+$/.test(values.ttl) || ttlSeconds < 1 || ttlSeconds > DEV_MAX_TTL_SECONDS) {
    return usageError(`--ttl must be a whole number of seconds from 1 to ${DEV_MAX_TTL_SECONDS}`);
  }

  const keys = await ensureDevKeys(values.keys);
  const token = await mintDevToken(keys, {
    account: values.account,
    region: values.region,
    ...(values.subject === undefined ? {} : { subject: values.subject }),
    scopes: values.admin ? [developmentPolicy().auth.adminScope] : [],
    ttlSeconds,
  });
  process.stdout.write(`${token}\n`);
  return 0;
}

function usageError(message: string): number {
  process.stderr.write(`token: ${message}\n\n${USAGE}`);
  return 2;
}
