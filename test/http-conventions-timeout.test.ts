import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { answerRequestTimeout, requestTimeoutOptions } from '../src/hosts/node-request-timeout.ts';

/** Sends `head` and part of a body, then waits for whatever the server answers until it closes the connection. */
function sendIncomplete(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

async function serverWith(requestTimeoutMs: number, onRequestStart: () => void): Promise<Server> {
  const server = createServer(requestTimeoutOptions(requestTimeoutMs), (request) => {
    onRequestStart();
    // Reads the body and never answers: only the timeout can end this request.
    request.resume();
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!answerRequestTimeout(error, socket)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('request timeout', () => {
  test('a body that stops arriving: 408 request_timeout as problem+json, and the connection closed', async (t) => {
    let started = 0;
    const server = await serverWith(200, () => (started += 1));
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const answer = await sendIncomplete(port, 'PUT /v1/objects/c/k HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a":');
    assert.equal(started, 1, 'the request had reached its handler');
    const [head, body] = answer.split('\r\n\r\n') as [string, string];
    assert.match(head, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.match(head, /\r\ncontent-type: application\/problem\+json\r\n/);
    assert.match(head, /\r\nconnection: close/);
    const problem = JSON.parse(body) as { status: number; code: string; requestId: string };
    assert.deepEqual([problem.status, problem.code], [408, 'request_timeout']);
    assert.match(problem.requestId, /^[0-9a-f-]{36}$/);
  });

  test('headers that never end: the same answer', async (t) => {
    const server = await serverWith(200, () => assert.fail('no request can start without its headers'));
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const answer = await sendIncomplete(port, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.equal((JSON.parse(answer.split('\r\n\r\n')[1]!) as { code: string }).code, 'request_timeout');
  });

  test('the timeout is checked often enough to answer near the limit, never less than every 30 s', () => {
    assert.deepEqual(requestTimeoutOptions(300_000), { requestTimeout: 300_000, connectionsCheckingInterval: 30_000 });
    assert.deepEqual(requestTimeoutOptions(60_000), { requestTimeout: 60_000, connectionsCheckingInterval: 6_000 });
    assert.deepEqual(requestTimeoutOptions(200), { requestTimeout: 200, connectionsCheckingInterval: 50 });
  });

  test('other client errors are left to the caller', () => {
    assert.equal(answerRequestTimeout(Object.assign(new Error('x'), { code: 'HPE_INVALID_METHOD' }), null as never), false);
  });
});
