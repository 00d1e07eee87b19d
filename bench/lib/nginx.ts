import { execFile } from 'node:child_process';
import { access, constants, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startChild } from './child.ts';
import { freePort, waitForPort } from './ports.ts';

const run = promisify(execFile);

export type NginxBinary = { path: string; version: string; installed: boolean } | { path: null; reason: string };

async function executable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

async function onPath(name: string): Promise<string | null> {
  for (const directory of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin']) {
    if (directory && (await executable(join(directory, name)))) return join(directory, name);
  }
  return null;
}

async function versionOf(path: string): Promise<string> {
  const { stderr } = await run(path, ['-v']);
  return stderr.trim().replace(/^nginx version:\s*/, '');
}

/** Finds nginx; installs Debian's package when running as root with apt-get; otherwise says why there is none. */
export async function findNginx(): Promise<NginxBinary> {
  const found = await onPath('nginx');
  if (found) return { path: found, version: await versionOf(found), installed: false };
  const apt = await onPath('apt-get');
  if (process.getuid?.() !== 0 || !apt)
    return { path: null, reason: 'nginx is not installed and cannot be installed here (needs root and apt-get): apt-get install nginx' };
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run(apt, ['install', '-y', '-qq', 'nginx'], { env }).catch(async () => {
      await run(apt, ['update', '-qq'], { env });
      await run(apt, ['install', '-y', '-qq', 'nginx'], { env });
    });
  } catch (error) {
    return { path: null, reason: `apt-get install nginx failed: ${String(error).split('\n')[0]}` };
  }
  const installed = await onPath('nginx');
  return installed
    ? { path: installed, version: await versionOf(installed), installed: true }
    : { path: null, reason: 'apt-get installed nginx but it is not on PATH' };
}

export interface NginxProxy {
  /** The nginx origin in front of each named upstream. */
  origins: Record<string, string>;
  pid: number;
  stop(): Promise<void>;
}

/**
 * The reference reverse proxy: one worker (the gateway is one Node process
 * too), upstream keep-alive, request and response streaming (no buffering to
 * temporary files), no access log.
 */
function config(prefix: string, upstreams: Record<string, { target: string; port: number }>): string {
  const servers = Object.entries(upstreams).map(
    ([name, { target, port }]) => `
  upstream ${name} { server ${new URL(target).host}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / { proxy_pass http://${name}; }
  }`,
  );
  return `${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  client_max_body_size 0;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host $http_host;
  proxy_request_buffering off;
  proxy_buffering off;
  proxy_read_timeout 600s;
  proxy_send_timeout 600s;
${servers.join('\n')}
}
`;
}

/** Runs nginx in the foreground with its own prefix and config, proxying to each upstream origin. */
export async function startNginx(binary: string, prefix: string, targets: Record<string, string>): Promise<NginxProxy> {
  await mkdir(prefix, { recursive: true });
  const upstreams: Record<string, { target: string; port: number }> = {};
  for (const [name, target] of Object.entries(targets)) upstreams[name] = { target, port: await freePort() };
  const conf = join(prefix, 'nginx.conf');
  await writeFile(conf, config(prefix, upstreams));
  const ports = Object.values(upstreams).map(({ port }) => port);
  const { child } = await startChild(binary, ['-p', prefix, '-c', conf, '-e', 'stderr', '-g', 'daemon off;'], {
    // SIGTERM: nginx stops its workers too; a killed master would leave them serving.
    exitSignal: 'SIGTERM',
    ready: async () => {
      for (const port of ports) await waitForPort(port);
    },
  });
  return {
    origins: Object.fromEntries(Object.entries(upstreams).map(([name, { port }]) => [name, `http://127.0.0.1:${port}`])),
    pid: child.pid,
    // SIGQUIT: nginx's graceful shutdown.
    stop: () => child.stop(5_000, 'SIGQUIT'),
  };
}
