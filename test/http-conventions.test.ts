import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sliceBody } from '../src/http/preconditions.ts';
import { allKeys, startTestGateway, type TestGateway } from './helpers/gateway.ts';

const GB = { account_id: 'acme', account_region: 'GB' };
const ADMIN = { ...GB, scope: 'residency:admin' };
const BODY = '0123456789';
const PATH = '/v1/objects/chat-transcript/conventions/digits.txt';

let gw: TestGateway;
let etag: string;
let lastModified: string;

before(async () => {
  gw = await startTestGateway();
  const put = await gw.as(GB, PATH, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: BODY });
  assert.equal(put.status, 201);
  const head = await gw.as(GB, PATH, { method: 'HEAD' });
  etag = head.headers.get('etag')!;
  lastModified = head.headers.get('last-modified')!;
  assert.match(etag, /^"[^"]+"$/);
});
after(() => gw.stop());

const get = (headers: Record<string, string>) => gw.as(GB, PATH, { headers });
const storedKeys = async () => (await Promise.all([...gw.stores.values()].map((store) => allKeys(store, 'objects/')))).flat().sort();

describe('single byte ranges', () => {
  for (const [range, body, contentRange] of [
    ['bytes=0-3', '0123', 'bytes 0-3/10'],
    ['bytes=5-', '56789', 'bytes 5-9/10'],
    ['bytes=-3', '789', 'bytes 7-9/10'],
    ['bytes=8-100', '89', 'bytes 8-9/10'],
    ['bytes=-100', BODY, 'bytes 0-9/10'],
    ['bytes=9-9', '9', 'bytes 9-9/10'],
  ] as const) {
    test(`${range}: 206 ${contentRange}`, async () => {
      const response = await get({ range });
      assert.equal(response.status, 206);
      assert.equal(response.headers.get('content-range'), contentRange);
      assert.equal(response.headers.get('content-length'), String(body.length));
      assert.equal(response.headers.get('etag'), etag);
      assert.equal(await response.text(), body);
    });
  }

  for (const range of ['bytes=10-', 'bytes=10-20', 'bytes=-0']) {
    test(`${range}: 416 with bytes */10, as problem+json`, async () => {
      const response = await get({ range });
      assert.equal(response.status, 416);
      assert.equal(response.headers.get('content-range'), 'bytes */10');
      assert.equal(response.headers.get('content-type'), 'application/problem+json');
      assert.equal(((await response.json()) as { code: string }).code, 'range_not_satisfiable');
    });
  }

  for (const range of ['bytes=0-1,4-5', 'bytes=3-1', 'items=0-3', 'bytes=a-b', 'bytes=-']) {
    test(`${range}: ignored, the whole object`, async () => {
      const response = await get({ range });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-range'), null);
      assert.equal(response.headers.get('accept-ranges'), 'bytes');
      assert.equal(await response.text(), BODY);
    });
  }

  test('If-Range: a matching ETag or date keeps the range, a stale one sends the whole object', async () => {
    assert.equal((await get({ range: 'bytes=0-1', 'if-range': etag })).status, 206);
    assert.equal((await get({ range: 'bytes=0-1', 'if-range': lastModified })).status, 206);
    const stale = await get({ range: 'bytes=0-1', 'if-range': '"another-version"' });
    assert.equal(stale.status, 200);
    assert.equal(await stale.text(), BODY);
    assert.equal((await get({ range: 'bytes=0-1', 'if-range': `W/${etag}` })).status, 200, 'a weak tag never matches If-Range');
  });

  test('a range across many chunks: bytes before it are dropped, the source is cancelled once it is complete', async () => {
    let pulled = 0;
    let cancelled = false;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled === 100) return controller.close();
        controller.enqueue(new Uint8Array(7).map((_, i) => (pulled * 7 + i) % 256));
        pulled += 1;
      },
      cancel() {
        cancelled = true;
      },
    });
    const bytes = new Uint8Array(await new Response(sliceBody(source, { start: 30, end: 49 })).arrayBuffer());
    assert.deepEqual(
      [...bytes],
      Array.from({ length: 20 }, (_, i) => 30 + i),
    );
    assert.ok(cancelled, 'the rest of the source was not read');
    assert.ok(pulled < 100);
  });
});

describe('conditional reads', () => {
  test('If-None-Match with the ETag (strong, weak, in a list, or *): 304 without a body, with the validators', async () => {
    for (const value of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const response = await get({ 'if-none-match': value });
      assert.equal(response.status, 304, value);
      assert.equal(response.headers.get('etag'), etag);
      assert.equal(response.headers.get('x-residency-zone'), 'uk-eu');
      assert.equal(await response.text(), '');
    }
  });

  test('If-None-Match with another tag: 200, and it wins over If-Modified-Since', async () => {
    const response = await get({ 'if-none-match': '"other"', 'if-modified-since': new Date(Date.now() + 3_600_000).toUTCString() });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), BODY);
  });

  test('If-Modified-Since: 304 at or after the last change, 200 before it, ignored when not a date', async () => {
    assert.equal((await get({ 'if-modified-since': lastModified })).status, 304);
    assert.equal((await get({ 'if-modified-since': new Date(Date.parse(lastModified) - 1000).toUTCString() })).status, 200);
    assert.equal((await get({ 'if-modified-since': 'yesterday' })).status, 200);
  });

  test('If-Match: 412 problem+json for another or a weak tag, 200 for the ETag or *', async () => {
    for (const value of ['"other"', `W/${etag}`]) {
      const response = await get({ 'if-match': value });
      assert.equal(response.status, 412, value);
      assert.equal(response.headers.get('content-type'), 'application/problem+json');
      assert.equal(((await response.json()) as { code: string }).code, 'precondition_failed');
    }
    for (const value of [etag, '*', `"other", ${etag}`]) {
      const response = await get({ 'if-match': value });
      assert.equal(response.status, 200, value);
      assert.equal(await response.text(), BODY);
    }
  });

  test('If-Unmodified-Since before the last change: 412', async () => {
    assert.equal((await get({ 'if-unmodified-since': new Date(Date.parse(lastModified) - 1000).toUTCString() })).status, 412);
    assert.equal((await get({ 'if-unmodified-since': lastModified })).status, 200);
  });

  test('the audit event counts the bytes sent: none for a 304, the range for a 206', async () => {
    const count = gw.audit.length;
    await (await get({ 'if-none-match': etag })).text();
    await (await get({ range: 'bytes=2-4' })).text();
    const reads = gw.audit.slice(count).filter((event) => event.action === 'read');
    assert.deepEqual(
      reads.map((event) => [event.outcome, event.bytes]),
      [
        ['allowed', 0],
        ['allowed', 3],
      ],
    );
  });

  test('a conditional read of a missing object is a 404, not a 304', async () => {
    const response = await gw.as(GB, '/v1/objects/chat-transcript/conventions/missing', { headers: { 'if-none-match': '*' } });
    assert.equal(response.status, 404);
  });
});

describe('WWW-Authenticate (RFC 6750)', () => {
  test('no token: 401 with a Bearer challenge and no error code', async () => {
    const response = await fetch(`${gw.url}${PATH}`);
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="residency-proxy"');
  });

  test('a bad or expired token: 401 with error="invalid_token"', async () => {
    const expired = await gw.token(GB, { now: Math.floor(Date.now() / 1000) - 7200 });
    for (const token of ['not.a.token', expired, `${(await gw.token(GB)).slice(0, -4)}AAAA`]) {
      const response = await fetch(`${gw.url}${PATH}`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.status, 401);
      const challenge = response.headers.get('www-authenticate') ?? '';
      assert.match(challenge, /^Bearer realm="residency-proxy", error="invalid_token", error_description="[\x20\x21\x23-\x5b\x5d-\x7e]*"$/);
      assert.ok(!challenge.includes(token), 'the challenge does not echo the token');
    }
  });

  test('an admin route without the scope: 403 with error="insufficient_scope"', async () => {
    const response = await gw.as(GB, '/v1/holds');
    assert.equal(response.status, 403);
    assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer realm="residency-proxy", error="insufficient_scope"/);
    assert.equal((await gw.as(ADMIN, '/v1/holds')).headers.get('www-authenticate'), null, 'no challenge on success');
  });

  test('refusals that are not about the token carry no challenge', async () => {
    const response = await gw.as(GB, '/v1/objects/no-such-class/x');
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('www-authenticate'), null);
  });
});

describe('405 with Allow', () => {
  test('a known object path with a method it does not answer: 405 listing the methods, nothing stored', async () => {
    const before = await storedKeys();
    const response = await gw.as(GB, '/v1/objects/chat-transcript/conventions/posted', { method: 'POST', body: '{}' });
    assert.equal(response.status, 405);
    assert.deepEqual(response.headers.get('allow')?.split(', ').sort(), ['DELETE', 'GET', 'HEAD', 'PUT']);
    assert.equal(((await response.json()) as { code: string }).code, 'method_not_allowed');
    assert.deepEqual(await storedKeys(), before);
  });

  for (const [method, path, allow] of [
    ['POST', '/healthz', 'GET, HEAD'],
    ['PUT', '/readyz', 'GET, HEAD'],
    ['GET', '/v1/explain', 'POST'],
    ['PATCH', '/v1/holds/account', 'DELETE, PUT'],
    ['POST', '/v1/subjects/visitor-1', 'DELETE'],
  ] as const) {
    test(`${method} ${path}: 405, Allow: ${allow}`, async () => {
      const response = await gw.as(ADMIN, path, { method });
      assert.equal(response.status, 405);
      assert.equal(response.headers.get('allow')?.split(', ').sort().join(', '), allow);
    });
  }

  test('a path no route knows stays a 404', async () => {
    for (const path of ['/nowhere', '/v1/nowhere', '/v1/holds/elsewhere']) {
      const response = await gw.as(ADMIN, path, { method: 'POST' });
      assert.equal(response.status, 404, path);
      assert.equal(response.headers.get('allow'), null);
    }
  });

  test('/v1 paths authenticate first: without a token the answer is 401, whatever the method', async () => {
    const response = await fetch(`${gw.url}/v1/explain`);
    assert.equal(response.status, 401);
  });
});
