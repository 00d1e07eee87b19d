import type { ServerOptions, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { problemOf } from '../http/problem.ts';
import { requestIdFrom } from '../http/request-id.ts';
import { Refusal } from '../policy/refusal.ts';

/**
 * Node checks request timeouts every `connectionsCheckingInterval` (30 s by
 * default), so a request over its limit was answered up to 30 s late; the
 * check runs ten times per limit here, at least every 30 s.
 */
export function requestTimeoutOptions(requestTimeoutMs: number): Pick<ServerOptions, 'requestTimeout' | 'connectionsCheckingInterval'> {
  return { requestTimeout: requestTimeoutMs, connectionsCheckingInterval: Math.min(Math.max(Math.floor(requestTimeoutMs / 10), 50), 30_000) };
}

/**
 * For the server's `clientError` listener: a request that was not received
 * in full within the request timeout is answered `408 request_timeout` as
 * problem+json (Node's own answer is a bare 408), unless its answer has begun.
 * The connection is closed: its framing is lost. Returns false for any other
 * client error.
 */
export function answerRequestTimeout(error: NodeJS.ErrnoException, socket: Duplex): boolean {
  if (error.code !== 'ERR_HTTP_REQUEST_TIMEOUT') return false;
  const answer = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (!socket.writable || answer?.headersSent) {
    socket.destroy();
    return true;
  }
  const refusal = new Refusal('request_timeout', 'the request did not arrive in full within the time limit');
  const body = JSON.stringify(problemOf(refusal, requestIdFrom(undefined)));
  socket.end(
    `HTTP/1.1 408 Request Timeout\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${body}`,
  );
  return true;
}
