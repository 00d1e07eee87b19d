import { parseCommandLine, type Writer } from './args.ts';

export const SERVE = {
  name: 'serve',
  usage: `usage: residency-proxy serve

Runs the gateway until SIGTERM or SIGINT. It is configured by the environment:

  RESIDENCY_POLICY        the policy file (unset: the embedded development policy)
  PORT, HOST              where /v1 listens (default 8787 on 127.0.0.1)
  S3_PORT                 the S3-compatible front door's port (unset: off)
  RESIDENCY_SESSION_KEY   seals S3 session credentials (required with S3_PORT in production)
  SHUTDOWN_GRACE_MS       how long in-flight requests may finish after SIGTERM (default 25000)
  RESIDENCY_WORKERS       gateway processes sharing the ports (production default: the usable CPUs)
  RESIDENCY_MAX_INFLIGHT_BYTES
                          request body bytes one worker holds at once; past it, 503 with Retry-After
  RESIDENCY_HASH_SECRET   keys the hashes of subject ids and object keys in audit events
  NODE_ENV=production     refuse the development policy and the development keys

  -h, --help              print this help
`,
  options: {},
} as const;

/** `residency-proxy serve`: starts the gateway; resolves with -1 while it keeps running. */
export async function serveCommand(argv: string[], out: Writer = process.stdout, err: Writer = process.stderr): Promise<number> {
  const parsed = parseCommandLine(SERVE, argv, out, err);
  if ('exitCode' in parsed) return parsed.exitCode;
  await import('../hosts/node.ts');
  return -1;
}
