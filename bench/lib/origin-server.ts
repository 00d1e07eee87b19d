/**
 * The "direct" store for the fs and memory columns, run as its own process:
 *
 *   origin-server.ts fs <dir>   PUT writes the body to <dir> as durably as the
 *                               gateway's fs adapter does (temporary file,
 *                               fsync, rename, fsync of the directory); GET
 *                               streams it back.
 *   origin-server.ts null       PUT drains the body; GET answers 4 KiB. The
 *                               cost of HTTP alone, for the memory store.
 *
 * Prints "origin listening on port N".
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const NULL_OBJECT = Buffer.alloc(4096, 'x');

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  await handle.sync();
  await handle.close();
}

async function writeDurably(directory: string, name: string, body: IncomingMessage): Promise<void> {
  const temporary = join(directory, `.tmp-${randomUUID()}`);
  const handle = await open(temporary, 'wx');
  try {
    for await (const chunk of body) await handle.write(chunk as Buffer);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, join(directory, name));
  await syncDirectory(directory);
}

async function serveFile(file: string, response: ServerResponse): Promise<void> {
  const size = (await stat(file)).size;
  response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
  createReadStream(file).pipe(response);
}

function fsHandler(directory: string) {
  return async (request: IncomingMessage, response: ServerResponse) => {
    const name = encodeURIComponent(request.url ?? '/');
    if (request.method === 'PUT') {
      await writeDurably(directory, name, request);
      response.writeHead(201, { 'content-length': 0 }).end();
    } else {
      await serveFile(join(directory, name), response);
    }
  };
}

async function nullHandler(request: IncomingMessage, response: ServerResponse) {
  if (request.method === 'PUT') {
    for await (const _ of request);
    response.writeHead(201, { 'content-length': 0 }).end();
  } else {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': NULL_OBJECT.length }).end(NULL_OBJECT);
  }
}

const [mode, directory] = process.argv.slice(2);
const handle = mode === 'fs' && directory ? fsHandler(directory) : nullHandler;
const server = createServer((request, response) => {
  handle(request, response).catch((error: unknown) => {
    const status = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 404 : 500;
    if (!response.headersSent) response.writeHead(status, { 'content-length': 0 });
    response.end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`origin listening on port ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
