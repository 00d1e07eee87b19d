import cluster from 'node:cluster';
import type { AuditSink } from '../service/audit.ts';
import { ConfigurationError } from './configuration-error.ts';
import { runPrimary } from './node-cluster.ts';
import type { RunningGateway } from './node-server.ts';
import { nodeSettings, type NodeSettings } from './node-settings.ts';

/**
 * `npm start`: the gateway on Node, configured by RESIDENCY_POLICY, PORT, HOST
 * and the settings of node-settings.ts. With more than one worker
 * (RESIDENCY_WORKERS) this process is the cluster's primary and each worker
 * runs this file again; with one, this process serves by itself. The
 * gateway's modules are loaded only by processes that serve: the primary
 * stays small (about 50 MiB resident instead of 100).
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const settings = readSettings(env);
  if (cluster.isWorker) {
    const { runWorker } = await import('./cluster-worker.ts');
    return runWorker({ start: (audit) => start(env, audit), banner, shutdownGraceMs: settings.shutdownGraceMs });
  }
  if (settings.workers > 1) return runPrimary({ ...settings, ...listenAddress(env) });
  await serveAlone(env, settings);
}

async function serveAlone(env: NodeJS.ProcessEnv, settings: NodeSettings): Promise<void> {
  const gateway = await start(env);
  process.stderr.write(banner(gateway));
  const graceMs = settings.shutdownGraceMs;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`residency-proxy: ${signal}: finishing in-flight requests (up to ${graceMs} ms)\n`);
    gateway.stop(graceMs).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`residency-proxy: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** Starts this process's gateway, or ends the process with the reasons it cannot start. */
async function start(env: NodeJS.ProcessEnv, audit?: AuditSink): Promise<RunningGateway> {
  try {
    const [{ startNodeGateway }, { startNodeTelemetry }] = await Promise.all([import('./node-server.ts'), import('./node-telemetry.ts')]);
    return await startNodeGateway({
      policyPath: env.RESIDENCY_POLICY || undefined,
      env,
      ...listenAddress(env),
      ...(audit && { audit }),
      telemetry: startNodeTelemetry(env),
    });
  } catch (error) {
    refuseToStart(error instanceof ConfigurationError ? error.errors : [String(error instanceof Error ? error.message : error)]);
  }
}

function listenAddress(env: NodeJS.ProcessEnv): { host: string; port: number } {
  return { host: env.HOST || '127.0.0.1', port: Number(env.PORT || 8787) };
}

function readSettings(env: NodeJS.ProcessEnv): NodeSettings {
  try {
    return nodeSettings(env);
  } catch (error) {
    refuseToStart(error instanceof ConfigurationError ? error.errors : [String(error)]);
  }
}

function refuseToStart(lines: string[]): never {
  process.stderr.write(`residency-proxy: refusing to start:\n${lines.map((line) => `  ${line}`).join('\n')}\n`);
  process.exit(1);
}

function banner(gateway: RunningGateway): string {
  const zones = [...gateway.policy.zones.values()]
    .map(
      (zone) =>
        `  ${zone.name}: regions ${zone.regions.join(' ')} -> store ${zone.storeName} (${zone.store.type}, ${zone.placement.location}, ${zone.placement.jurisdiction})`,
    )
    .join('\n');
  const s3 = gateway.s3Url ? `residency-proxy S3 front door on ${gateway.s3Url} (path-style; docs/s3.md)\n` : '';
  const listening = `residency-proxy listening on ${gateway.url}\n${s3}${zones}\n`;
  if (!gateway.development) return listening;
  return `
================================================================================
  DEVELOPMENT SETUP: embedded policy, local filesystem stores under ./.data/,
  a development signing key under ./.data/dev-keys/. NOT FOR PRODUCTION.
  Set RESIDENCY_POLICY to a policy file (and NODE_ENV=production) to run for real.
================================================================================
${listening}
Try it:
  TOKEN=$(npm run -s token -- --account acme --region GB)
  curl -i -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
       --data '{"hello":"world"}' ${gateway.url}/v1/objects/chat-transcript/2026/11/21/s1.json
  curl -H "Authorization: Bearer $TOKEN" ${gateway.url}/v1/objects/chat-transcript/2026/11/21/s1.json

`;
}

await main();
