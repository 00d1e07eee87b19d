import { randomUUID } from 'node:crypto';
import { decide } from '../../src/policy/decide.ts';
import { createInspection, isMediaRefusal } from '../../src/media/inspect.ts';
import { loadPolicy } from '../../src/policy/load.ts';
import type { Principal } from '../../src/policy/principal.ts';
import { createAuthenticator } from '../../src/auth/authenticate.ts';
import type { TestAlg, TestIdentity } from '../../test/helpers/tokens.ts';
import { smallDocument } from './documents.ts';
import { benchPolicy, DATA_CLASS } from './gateway.ts';
import { summarize, type Summary } from './stats.ts';
import type { BenchStore } from './stores.ts';

export interface MicroCase {
  name: string;
  description: string;
  opsPerSecond: Summary;
}

export interface MicroOptions {
  runs: number;
  /** Operations per run for the costly cases (each fresh token must be signed beforehand). */
  tokenOps: number;
  /** Minimum duration of one run of the cheap cases, ms. */
  runMs: number;
}

/** Runs `op` sequentially: one warm-up run, then `runs` timed runs of `opsPerRun` operations each. */
async function measureCount(op: (i: number) => unknown, opsPerRun: number, runs: number): Promise<Summary> {
  const rates: number[] = [];
  let i = 0;
  for (let run = -1; run < runs; run++) {
    const started = performance.now();
    for (let n = 0; n < opsPerRun; n++) await op(i++);
    if (run >= 0) rates.push(opsPerRun / ((performance.now() - started) / 1000));
  }
  return summarize(rates);
}

/** Like measureCount for synchronous operations, with as many operations per run as fill `runMs`. */
function measureSync(op: () => unknown, runMs: number, runs: number): Summary {
  let batch = 1;
  for (let started = performance.now(); performance.now() - started < runMs / 4; batch *= 2) for (let n = 0; n < batch; n++) op();
  const rates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    for (let n = 0; n < batch; n++) op();
    rates.push(batch / ((performance.now() - started) / 1000));
  }
  return summarize(rates);
}

const PNG_LEAD = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0, 0, 0, 1, 0, 8, 6, 0, 0, 0, 0x5c, 0x72, 0xa8, 0x66,
]);

/** Pushes one body through a fresh inspection; true when it passed, false when refused as media. */
async function sniff(body: Uint8Array, contentType: string): Promise<boolean> {
  const { stream } = createInspection({ contentType, contentEncoding: '', embeddedMedia: 'refuse' });
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const written = writer.write(body).then(() => writer.close());
  try {
    while (!(await reader.read()).done);
    await written;
    return true;
  } catch (error) {
    await written.catch(() => {});
    if (isMediaRefusal(error)) return false;
    throw error;
  }
}

/** Per-request costs inside the gateway, in process: token verification, the policy decision, media sniffing. */
export async function benchMicro(identity: TestIdentity, stores: readonly BenchStore[], options: MicroOptions): Promise<MicroCase[]> {
  const config = identity.authConfig();
  const claims = (i: number) => ({ account_id: 'bench', account_region: 'GB', sub: `service-${i}`, jti: randomUUID() });
  const freshTokens = (alg: TestAlg) => Promise.all(Array.from({ length: options.tokenOps * (options.runs + 1) }, (_, i) => identity.sign(claims(i), { alg })));
  const cases: MicroCase[] = [];

  const authenticator = createAuthenticator(config);
  for (const alg of ['ES256', 'EdDSA'] as const) {
    const tokens = await freshTokens(alg);
    cases.push({
      name: `token, fresh ${alg}`,
      description: `a token never seen before: shape checks and ${alg} signature verification with the key already imported`,
      opsPerSecond: await measureCount((i) => authenticator.authenticate([`Bearer ${tokens[i]}`]), options.tokenOps, options.runs),
    });
  }

  const reused = `Bearer ${await identity.sign(claims(0))}`;
  cases.push({
    name: 'token, reused (cached key and token)',
    description: 'a token the gateway verified before: shape checks, then the verification cache and the time claims',
    opsPerSecond: await measureCount(() => authenticator.authenticate([reused]), options.tokenOps * 10, options.runs),
  });

  const coldTokens = await freshTokens('ES256');
  cases.push({
    name: 'token, cold ES256 (new authenticator)',
    description: 'the first token after start: the JWKS key is imported, then the signature verified',
    opsPerSecond: await measureCount((i) => createAuthenticator(config).authenticate([`Bearer ${coldTokens[i]}`]), options.tokenOps, options.runs),
  });

  const loaded = loadPolicy(JSON.stringify(benchPolicy(identity, stores)));
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const policy = loaded.policy;
  const principal: Principal = await authenticator.authenticate([reused]);
  cases.push({
    name: 'policy decision (write)',
    description: 'decide(): zone by region claim, data class, retention date',
    opsPerSecond: measureSync(() => decide(policy, principal, { action: 'write', dataClass: DATA_CLASS, now: Date.now() }), options.runMs, options.runs),
  });

  const json = new TextEncoder().encode(smallDocument(4096));
  const png = new Uint8Array(4096);
  png.set(PNG_LEAD);
  if (!(await sniff(json, 'application/json')) || (await sniff(png, 'application/octet-stream'))) {
    throw new Error('the inspector did not pass the JSON body and refuse the PNG one');
  }
  const sniffOps = Math.max(200, options.tokenOps);
  cases.push({
    name: 'media sniffing, 4 KiB JSON',
    description: 'a new inspection over a whole 4 KiB JSON body (the small-object PUT), passed',
    opsPerSecond: await measureCount(() => sniff(json, 'application/json'), sniffOps, options.runs),
  });
  cases.push({
    name: 'media sniffing, PNG leading bytes',
    description: 'a new inspection over 4 KiB starting with a PNG signature, refused',
    opsPerSecond: await measureCount(() => sniff(png, 'application/octet-stream'), sniffOps, options.runs),
  });
  return cases;
}
