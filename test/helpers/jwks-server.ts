import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

/**
 * A JWKS endpoint on 127.0.0.1 for tests: counts every request, can change its
 * answer (key rotation, garbage, errors, never answering), and can be stopped
 * and started again on the same port to simulate an IdP outage.
 */

export type JwksAnswer =
  | { kind: 'keys'; jwks: { keys: JWK[] }; headers?: Record<string, string> }
  | { kind: 'raw'; status: number; body: string; contentType?: string }
  /** Accepts the request and never answers (fetch timeouts). */
  | { kind: 'hang' };

export interface JwksServer {
  url: string;
  port: number;
  /** Requests received since start (across restarts). */
  hits(): number;
  setKeys(jwks: { keys: JWK[] }, headers?: Record<string, string>): void;
  answerWith(answer: JwksAnswer): void;
  /** Stops listening and drops open connections; resolves once closed. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startJwksServer(jwks: { keys: JWK[] }): Promise<JwksServer> {
  let answer: JwksAnswer = { kind: 'keys', jwks };
  let hits = 0;
  let listening = false;

  const server = createServer((request, response) => {
    hits += 1;
    request.resume();
    switch (answer.kind) {
      case 'keys':
        response.writeHead(200, { 'content-type': 'application/json', ...answer.headers });
        response.end(JSON.stringify(answer.jwks));
        return;
      case 'raw':
        response.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json' });
        response.end(answer.body);
        return;
      case 'hang':
        return;
    }
  });

  const port = await listen(server, 0);
  listening = true;

  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    port,
    hits: () => hits,
    setKeys(keys, headers) {
      answer = headers ? { kind: 'keys', jwks: keys, headers } : { kind: 'keys', jwks: keys };
    },
    answerWith(next) {
      answer = next;
    },
    async stop() {
      if (!listening) return;
      listening = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
    async start() {
      if (listening) return;
      await listen(server, port);
      listening = true;
    },
  };
}
