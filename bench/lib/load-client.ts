/**
 * The load generator, run as its own process (never inside the gateway's):
 * receives LoadJobs over IPC, runs each with autocannon and answers a
 * LoadResult. Latencies are recorded here at full precision, because
 * autocannon's own histogram rounds to whole milliseconds.
 */
import autocannon from 'autocannon';
import { signedHeaders, sha256Hex, type SessionCredentials } from './sigv4-sign.ts';
import { percentile } from './stats.ts';

export interface LoadJob {
  /** Origin, e.g. http://127.0.0.1:8080. */
  origin: string;
  method: 'PUT' | 'GET';
  /** Request path; `{c}` becomes the connection's number, `{n}` a per-connection counter modulo `keySpace`. */
  path: string;
  keySpace: number;
  headers: Record<string, string>;
  body?: string;
  /** Connection i sends `Authorization: Bearer tokens[i]` on all its requests, as a backend service reuses its token. */
  tokens?: string[];
  /** Through the S3 front door: connection i signs each request (SigV4) with credentials[i], as an S3 SDK does. */
  s3?: { region: string; credentials: SessionCredentials[] };
  connections: number;
  seconds: number;
  /** Statuses counted as a success; anything else fails the run. */
  expect: number[];
}

export interface LoadResult {
  requests: number;
  rps: number;
  /** Milliseconds; null when no request completed. */
  p50: number | null;
  p90: number | null;
  p99: number | null;
  /** Responses with an unexpected status, connection errors and timeouts. */
  failures: number;
  firstFailure?: string;
}

export function runLoad(job: LoadJob): Promise<LoadResult> {
  const latencies: number[] = [];
  let firstResponseAt = 0;
  let lastResponseAt = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  const fail = (why: string) => {
    failures += 1;
    firstFailure ??= why;
  };
  let nextConnection = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.origin,
        connections: job.connections,
        duration: job.seconds,
        // autocannon notices the end of a run only at its next sample; the default (1 s) would round every run up to whole seconds.
        sampleInt: 100,
        timeout: 30,
        setupClient(client) {
          const connection = nextConnection++;
          const token = job.tokens?.[connection % job.tokens.length];
          const sign = job.s3 && signerFor(job, job.s3.region, job.s3.credentials[connection % job.s3.credentials.length]!);
          let counter = 0;
          client.setRequests([
            {
              method: job.method,
              headers: { ...job.headers, ...(token !== undefined && { authorization: `Bearer ${token}` }) },
              ...(job.body !== undefined && { body: job.body }),
              setupRequest: (request) => {
                const path = job.path.replaceAll('{c}', String(connection)).replaceAll('{n}', String(counter++ % job.keySpace));
                return { ...request, path, ...(sign && { headers: sign(path) }) };
              },
            },
          ]);
        },
      },
      (error, results) => {
        if (error) return reject(error);
        const sorted = Float64Array.from(latencies).sort();
        for (let i = 0; i < results.errors; i++) fail('connection error or timeout');
        if (latencies.length === 0) fail('no response within the run');
        resolve({
          requests: latencies.length,
          // Over the window between the first and the last answer: a store still busy with the previous run's
          // requests delays the first connection, and that delay is not this run's throughput.
          rps: latencies.length > 1 ? ((latencies.length - 1) * 1000) / (lastResponseAt - firstResponseAt) : latencies.length / results.duration,
          p50: percentile(sorted, 50) ?? null,
          p90: percentile(sorted, 90) ?? null,
          p99: percentile(sorted, 99) ?? null,
          failures,
          ...(firstFailure !== undefined && { firstFailure }),
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      lastResponseAt = performance.now();
      firstResponseAt ||= lastResponseAt;
      if (job.expect.includes(statusCode)) latencies.push(responseTime);
      else fail(`status ${statusCode}`);
    });
  });
}

/** Signs each request of a connection as an S3 SDK would: the body's SHA-256, the session token, a fresh date. */
function signerFor(job: LoadJob, region: string, credentials: SessionCredentials): (path: string) => Record<string, string> {
  const payloadHash = sha256Hex(job.body ?? '');
  const host = new URL(job.origin).host;
  const contentType = job.headers['content-type'];
  return (path) =>
    signedHeaders({ method: job.method, host, path, payloadHash, region, credentials, now: new Date(), ...(contentType !== undefined && { contentType }) });
}

if (process.send) {
  process.on('message', (job: LoadJob) => {
    runLoad(job).then(
      (result) => process.send!({ result }),
      (error: unknown) => process.send!({ error: String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
