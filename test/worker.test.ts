import assert from 'node:assert/strict';
import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createMemoryStore } from '../src/adapters/memory.ts';
import { digestOf } from './adapter-conformance.ts';
import { memoryPolicy, startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { startJwksServer, type JwksServer } from './helpers/jwks-server.ts';
import { bucketKeys, buildWorker, r2Bucket, startWorker, type BuiltWorker, type RunningWorker } from './helpers/miniflare.ts';
import { createTestIdentity, nowSeconds, remoteJwks, unsignedToken, type Claims, type TestIdentity } from './helpers/tokens.ts';

/**
 * The gateway inside workerd, as `npm run build:worker` bundles it, with two
 * R2 buckets bound (miniflare cannot emulate a bucket's jurisdiction, so the
 * EU-jurisdiction bucket is the one bound as SESSIONS_EU) and the JWKS served
 * over HTTP from Node. Decisions are compared with the Node gateway running
 * the same policy.
 */

const MiB = 1024 * 1024;
const DAY_MS = 86_400_000;
const PNG = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
  0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89,
]);
const BUCKETS = ['SESSIONS_EU', 'SESSIONS_US'];

const GB = { account_id: 'acme', account_region: 'GB' };
const US = { account_id: 'acme', account_region: 'US' };

/** The policy both runtimes run; only `auth` differs (the Node harness trusts the identity's keys directly). */
function edgePolicy(auth: object): Record<string, unknown> {
  const policy = memoryPolicy();
  policy.zones['uk-eu'].store = 'edge-eu';
  policy.zones.us.store = 'edge-us';
  policy.stores = {
    'edge-eu': { type: 'r2', binding: 'SESSIONS_EU', jurisdiction: 'eu' },
    'edge-us': { type: 'r2', binding: 'SESSIONS_US', jurisdiction: 'fedramp' },
  };
  return { ...policy, auth, limits: { maxObjectBytes: 8 * MiB } };
}

async function send(base: string, token: string | undefined, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
  return fetch(`${base}${path}`, { ...init, headers, ...(init.body instanceof ReadableStream && { duplex: 'half' }) } as RequestInit);
}

/** A JSON document of about `size` bytes, streamed in small chunks (a chunked upload). */
function jsonEvents(size: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let sent = 0;
  let index = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= size) {
        controller.enqueue(encoder.encode('{"end":true}]'));
        controller.close();
        return;
      }
      const lines: string[] = [];
      for (let i = 0; i < 500; i++) lines.push(`{"seq":${index++},"type":"mousemove","x":${index % 1280},"y":${index % 720}},`);
      const chunk = encoder.encode((sent === 0 ? '[' : '') + lines.join(''));
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
}

/** Every key of every bucket, to show that a refused request wrote nothing anywhere. */
async function allBuckets(worker: RunningWorker): Promise<Record<string, string[]>> {
  return Object.fromEntries(await Promise.all(BUCKETS.map(async (binding) => [binding, await bucketKeys(worker, binding)] as const)));
}

/** A PUT that declares `length` bytes but sends only its headers, and the answer it gets. */
function headersOnlyPut(url: string, token: string, length: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const sending = request(url, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-length': String(length) } }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        sending.destroy();
        resolve({ status: response.statusCode ?? 0, body });
      });
    });
    sending.on('error', reject);
    sending.flushHeaders();
  });
}

async function storedText(worker: RunningWorker, binding: string, keySuffix: string): Promise<string> {
  const key = (await bucketKeys(worker, binding)).find((candidate) => candidate.endsWith(keySuffix));
  assert.ok(key, `${binding} holds a key ending in ${keySuffix}`);
  const object = await (await r2Bucket(worker, binding)).get(key);
  assert.ok(object);
  return new Response(object.body).text();
}

/** One bundle for every worker of this file, built as `npm run build:worker` builds it. */
let built: BuiltWorker;
before(async () => {
  built = await buildWorker('wrangler.toml');
});
after(() => built?.remove());

describe('the gateway in workerd', () => {
  let identity: TestIdentity;
  let jwks: JwksServer;
  let worker: RunningWorker;
  let node: TestGateway;

  before(async () => {
    identity = await createTestIdentity();
    jwks = await startJwksServer(identity.jwks);
    worker = await startWorker(built, {
      r2Buckets: BUCKETS,
      bindings: {
        RESIDENCY_POLICY: JSON.stringify(edgePolicy(identity.authConfig(remoteJwks(jwks.url)))),
        RESIDENCY_HASH_SECRET: 'test-secret',
      },
    });
    node = await startTestGateway({
      identity,
      policy: edgePolicy({}),
      stores: new Map([
        ['edge-eu', createMemoryStore()],
        ['edge-us', createMemoryStore()],
      ]),
    });
  });
  after(async () => {
    await worker?.stop();
    await node?.stop();
    await jwks?.stop();
  });

  const as = async (claims: Claims, path: string, init?: RequestInit) => send(worker.url, await identity.sign(claims), path, init);

  test("a GB token's write lands in the EU-jurisdiction bucket and nowhere else", async () => {
    const before = await allBuckets(worker);
    const body = '{"from":"visitor","text":"hello"}';
    const response = await as(GB, '/v1/objects/chat-transcript/2026/11/21/gb.json', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body,
    });
    assert.equal(response.status, 201, await response.clone().text());
    assert.equal(response.headers.get('x-residency-zone'), 'uk-eu');
    assert.equal(response.headers.get('x-residency-location'), 'r2:eu');
    const placement = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(
      { zone: placement.zone, store: placement.store, location: placement.location, jurisdiction: placement.jurisdiction, size: placement.size },
      { zone: 'uk-eu', store: 'edge-eu', location: 'r2:eu', jurisdiction: 'EU', size: body.length },
    );

    const after = await allBuckets(worker);
    assert.deepEqual(after.SESSIONS_US, before.SESSIONS_US);
    const added = after.SESSIONS_EU!.filter((key) => !before.SESSIONS_EU!.includes(key) && !key.startsWith('catalog/'));
    assert.equal(added.length, 1);
    assert.match(added[0]!, /acme.*2026\/11\/21\/gb\.json$/);
    assert.equal(await storedText(worker, 'SESSIONS_EU', '2026/11/21/gb.json'), body);

    const read = await as(GB, '/v1/objects/chat-transcript/2026/11/21/gb.json');
    assert.equal(read.status, 200);
    assert.equal(read.headers.get('content-type'), 'application/json');
    assert.equal(await read.text(), body);
  });

  test("a US token's write lands in the US bucket and nowhere else", async () => {
    const before = await allBuckets(worker);
    const response = await as(US, '/v1/objects/chat-transcript/us.json', { method: 'PUT', body: '{"text":"howdy"}' });
    assert.equal(response.status, 201);
    assert.equal(((await response.json()) as { zone: string }).zone, 'us');
    const after = await allBuckets(worker);
    assert.deepEqual(after.SESSIONS_EU, before.SESSIONS_EU);
    const added = after.SESSIONS_US!.filter((key) => !before.SESSIONS_US!.includes(key) && !key.startsWith('catalog/'));
    assert.equal(added.length, 1);
    assert.equal(await storedText(worker, 'SESSIONS_US', '/us.json'), '{"text":"howdy"}');
  });

  test('a region in no zone is refused, and nothing is written', async () => {
    const before = await allBuckets(worker);
    const response = await as({ account_id: 'acme', account_region: 'JP' }, '/v1/objects/chat-transcript/jp.json', { method: 'PUT', body: '{}' });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
    assert.equal(((await response.json()) as { code: string }).code, 'region_unknown');
    assert.deepEqual(await allBuckets(worker), before);
  });

  test('media is refused, declared or disguised, and nothing is written', async () => {
    const before = await allBuckets(worker);
    const disguised = await as(GB, '/v1/objects/chat-transcript/shot.json', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: PNG });
    assert.equal(disguised.status, 415);
    assert.equal(((await disguised.json()) as { code: string }).code, 'media_refused');
    const declared = await as(GB, '/v1/objects/chat-transcript/shot.png', { method: 'PUT', headers: { 'content-type': 'image/png' }, body: 'not really' });
    assert.equal(declared.status, 415);
    await declared.body?.cancel();
    assert.deepEqual(await allBuckets(worker), before);
  });

  test('a chunked upload (no Content-Length) larger than one R2 part is stored whole', async () => {
    const response = await as(GB, '/v1/objects/cobrowse-session/chunked.json', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: jsonEvents(6 * MiB),
    });
    assert.equal(response.status, 201, await response.clone().text());
    const { size, etag } = (await response.json()) as { size: number; etag: string };
    assert.ok(size > 6 * MiB);
    assert.match(etag, /-2$/, 'two multipart parts');
    const stored = await as(GB, '/v1/objects/cobrowse-session/chunked.json');
    assert.equal(await digestOf(stored.body!), await digestOf(jsonEvents(6 * MiB)));
  });

  test('a body over the limit is refused, declared or chunked, and nothing is written', async () => {
    const before = await allBuckets(worker);
    // Refused on its Content-Length, before the body is read; the client need not send it.
    const declared = await headersOnlyPut(`${worker.url}/v1/objects/chat-transcript/big-declared`, await identity.sign(GB), 9 * MiB);
    assert.equal(declared.status, 413);
    assert.equal((JSON.parse(declared.body) as { code: string }).code, 'payload_too_large');
    // Past one multipart part before the limit is reached: the upload is aborted.
    const chunked = await as(GB, '/v1/objects/chat-transcript/big-chunked', {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: jsonEvents(9 * MiB),
    });
    assert.equal(chunked.status, 413);
    await chunked.body?.cancel();
    assert.deepEqual(await allBuckets(worker), before);
  });

  test('in redact mode embedded images are replaced, and the body of unknown length is stored', async () => {
    const image = `data:image/png;base64,${Buffer.from(PNG).toString('base64')}`;
    const document = JSON.stringify({
      events: [
        { type: 'note', text: 'before' },
        { type: 'canvas', rr_dataURL: image },
      ],
    });
    const response = await as(GB, '/v1/objects/feedback-log/redacted.json', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: document,
    });
    assert.equal(response.status, 201, await response.clone().text());
    assert.equal(((await response.json()) as { redactions: number }).redactions, 1);
    const stored = await storedText(worker, 'SESSIONS_EU', '/redacted.json');
    assert.ok(!stored.includes('iVBORw0KGgo'), 'the image is gone');
    assert.match(stored, /media redacted/);
    assert.match(stored, /"text":"before"/);
  });

  test('auth failures answer as on Node', async () => {
    const other = await createTestIdentity({ issuer: identity.issuer, audience: identity.audience });
    const now = nowSeconds();
    const cases: Array<[string, string | undefined, string]> = [
      ['no token', undefined, 'token_missing'],
      ['a signature by another key with the same kid', await other.sign(GB), 'token_invalid'],
      ['expired', await identity.sign({ ...GB, iat: now - 7200, exp: now - 3600 }), 'token_expired'],
      ['alg none', unsignedToken({ alg: 'none', typ: 'JWT' }, { iss: identity.issuer, aud: identity.audience, exp: now + 600, ...GB }), 'token_invalid'],
      ['another audience', await identity.sign({ ...GB, aud: 'someone-else' }), 'token_invalid'],
      ['a jku header', await identity.sign(GB, { header: { jku: 'https://attacker.test/jwks.json' } }), 'token_invalid'],
      ['no region claim', await identity.sign({ account_id: 'acme', account_region: undefined }), 'region_missing'],
      ['a region claim that is not a string', await identity.sign({ account_id: 'acme', account_region: ['GB'] }), 'region_missing'],
    ];
    for (const [name, token, code] of cases) {
      const answers = await Promise.all(
        [worker.url, node.url].map(async (base) => {
          const response = await send(base, token, '/v1/objects/chat-transcript/auth.json');
          const problem = (await response.json()) as { status: number; code: string; detail: string };
          return { httpStatus: response.status, status: problem.status, code: problem.code, detail: problem.detail };
        }),
      );
      assert.equal(answers[0]!.code, code, name);
      assert.deepEqual(answers[0], answers[1], `${name}: workerd and Node answer alike`);
    }
  });

  test('POST /v1/explain answers as on Node for one table of decision cases', async () => {
    const sample = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');
    const cases: Array<[Claims, unknown]> = [
      [GB, { dataClass: 'chat-transcript', contentType: 'application/json' }],
      [
        { account_id: 'acme', account_region: 'fr' },
        { dataClass: 'cobrowse-session', contentType: 'application/json' },
      ],
      [US, { dataClass: 'survey', contentType: 'application/json' }],
      [US, { dataClass: 'technical-metadata', contentType: 'text/plain' }],
      [
        { account_id: 'acme', account_region: 'JP' },
        { dataClass: 'chat-transcript', contentType: 'application/json' },
      ],
      [
        { account_id: 'acme', account_region: 'CH' },
        { dataClass: 'chat-transcript', contentType: 'application/json' },
      ],
      [GB, { dataClass: 'recording', contentType: 'video/webm' }],
      [GB, { dataClass: 'cobrowse-screenshot', contentType: 'application/json' }],
      [GB, { dataClass: 'chat-transcript', contentType: 'image/png' }],
      [GB, { dataClass: 'chat-transcript', contentType: 'audio/ogg' }],
      [GB, { dataClass: 'chat-transcript', contentType: 'application/json', sample: sample(PNG) }],
      [GB, { dataClass: 'chat-transcript', contentType: 'application/json', contentEncoding: 'gzip', sample: sample(gzipSync(PNG)) }],
      [GB, { dataClass: 'chat-transcript', contentType: 'text/plain', sample: sample('PNG files and data: URLs were discussed') }],
      [GB, { dataClass: 'feedback-log', contentType: 'application/json', sample: sample(`{"img":"data:image/png;base64,${sample(PNG)}"}`) }],
      [GB, { dataClass: 'chat-transcript', contentType: 'application/json', sample: sample(`{"img":"data:image/png;base64,${sample(PNG)}"}`) }],
      [GB, { dataClass: 'chat-transcript' }],
      [GB, { contentType: 'application/json' }],
      [GB, '{"dataClass":'],
    ];
    for (const [claims, request] of cases) {
      const answers = await Promise.all(
        [worker.url, node.url].map(async (base) => {
          const askedAt = Date.now();
          const response = await send(base, await identity.sign(claims), '/v1/explain', {
            method: 'POST',
            body: typeof request === 'string' ? request : JSON.stringify(request),
          });
          const { requestId, expiresAt, ...answer } = (await response.json()) as Record<string, unknown>;
          assert.ok(typeof requestId === 'string' || requestId === undefined);
          // Expiry is "now + retention": compared as whole days, since the two runtimes answer a few ms apart.
          const expiresInDays = typeof expiresAt === 'string' ? Math.round((Date.parse(expiresAt) - askedAt) / DAY_MS) : expiresAt;
          return { status: response.status, ...answer, expiresInDays };
        }),
      );
      assert.deepEqual(answers[0], answers[1], `workerd and Node answer alike for ${JSON.stringify([claims, request])}`);
    }
  });

  test('the JWKS is fetched once and shared by the requests of the isolate', async () => {
    const hits = jwks.hits();
    assert.ok(hits >= 1);
    for (let i = 0; i < 5; i++) {
      const response = await as({ ...GB, sub: `caller-${i}` }, '/v1/objects/chat-transcript/missing.json');
      assert.equal(response.status, 404);
      await response.body?.cancel();
    }
    assert.equal(jwks.hits(), hits);
  });

  test('every decision is audited on the console, without keys or subjects in clear', async () => {
    const response = await as(GB, '/v1/objects/chat-transcript/audited/secret-name.json', {
      method: 'PUT',
      headers: { 'x-subject-id': 'visitor-42' },
      body: '{}',
    });
    assert.equal(response.status, 201);
    const requestId = response.headers.get('x-request-id');
    const events = worker
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{"type":"audit"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const event = events.find((candidate) => candidate.requestId === requestId);
    assert.ok(event, 'the write was audited');
    assert.equal(event.outcome, 'allowed');
    assert.equal(event.store, 'edge-eu');
    assert.ok(typeof event.key === 'string' && !event.key.includes('secret-name'));
    assert.ok(typeof event.subject === 'string' && !event.subject.includes('visitor-42'));
  });

  test('readyz reports the keys and the buckets', async () => {
    const response = await fetch(`${worker.url}/readyz`);
    assert.equal(response.status, 200);
    const readiness = (await response.json()) as { keys: string; stores: Array<{ store: string; kind: string; state: string }> };
    assert.equal(readiness.keys, 'available');
    assert.deepEqual(
      readiness.stores.map(({ store, kind, state }) => [store, kind, state]),
      [
        ['edge-eu', 'r2', 'ready'],
        ['edge-us', 'r2', 'ready'],
      ],
    );
  });
});

/**
 * A JWKS endpoint that lets its keys be cached for one second
 * (`Cache-Control: max-age=1`) and whose answers the test can hold back, to
 * finish a key refresh only after the request that started it has been
 * answered.
 */
async function startHeldJwksServer(keys: object) {
  let current = keys;
  let holding = false;
  let hits = 0;
  const held: ServerResponse[] = [];
  const answer = (response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=1' });
    response.end(JSON.stringify(current));
  };
  const server = createServer((request, response) => {
    hits += 1;
    request.resume();
    if (holding) held.push(response);
    else answer(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    hits: () => hits,
    held: () => held.length,
    rotate(next: object) {
      current = next;
      holding = true;
    },
    release() {
      holding = false;
      held.splice(0).forEach(answer);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('key refresh at the edge', () => {
  let identity: TestIdentity;
  let jwks: Awaited<ReturnType<typeof startHeldJwksServer>>;
  let worker: RunningWorker;

  before(async () => {
    identity = await createTestIdentity();
    jwks = await startHeldJwksServer(identity.jwks);
    // The policy would cache keys for ten minutes; the endpoint's max-age makes it one second. After that a
    // request refreshes them in its background. A refresh that never settles blocks the next one for
    // timeoutMs, longer than the test waits.
    const auth = identity.authConfig(remoteJwks(jwks.url, { cacheMaxAgeSeconds: 600, cooldownSeconds: 1, timeoutMs: 10_000 }));
    worker = await startWorker(built, { r2Buckets: BUCKETS, bindings: { RESIDENCY_POLICY: JSON.stringify(edgePolicy(auth)) } });
  });
  after(async () => {
    await worker?.stop();
    await jwks?.stop();
  });

  const status = async (sub: string) => {
    const response = await send(worker.url, await identity.sign({ ...GB, sub }), '/v1/objects/chat-transcript/missing.json');
    await response.body?.cancel();
    return response.status;
  };

  test('a key withdrawn from the JWKS stops verifying after its max-age, by a refresh that outlived its request', async () => {
    assert.equal(await status('first'), 404);
    assert.equal(jwks.hits(), 1);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // let the keys pass their max-age
    const rotated = await createTestIdentity();
    jwks.rotate(rotated.jwks);

    // Answered from the stale keys while the refresh it started waits for the IdP.
    assert.equal(await status('during-refresh'), 404);
    assert.equal(jwks.hits(), 2);
    assert.equal(jwks.held(), 1);
    jwks.release();

    // Workers cancel what a finished request left running unless it waits; the refresh must still land.
    let refused = false;
    for (let attempt = 0; attempt < 30 && !refused; attempt++) {
      refused = (await status(`after-refresh-${attempt}`)) === 401;
      if (!refused) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(refused, 'the withdrawn key is refused');
  });
});

describe('a misconfigured worker', () => {
  const cases: Array<[string, Record<string, string>, string[], RegExp]> = [
    ['no policy', {}, BUCKETS, /RESIDENCY_POLICY: not set/],
    ['a policy that does not load', { RESIDENCY_POLICY: 'version: 2' }, BUCKETS, /RESIDENCY_POLICY: version/],
    [
      'an Azure store',
      {
        RESIDENCY_POLICY: JSON.stringify({
          ...edgePolicy({ issuer: 'https://idp.test/', audience: 'residency-proxy', algorithms: ['ES256'], jwks: { url: 'https://idp.test/jwks.json' } }),
          stores: {
            'edge-eu': { type: 'azure-blob', container: 'sessions', location: 'northeurope', connectionStringEnv: 'AZURE_EU' },
            'edge-us': { type: 'r2', binding: 'SESSIONS_US', jurisdiction: 'fedramp' },
          },
        }),
      },
      BUCKETS,
      /stores\.edge-eu: azure-blob stores do not run on Workers/,
    ],
    [
      'a bucket that is not bound',
      {
        RESIDENCY_POLICY: JSON.stringify(
          edgePolicy({ issuer: 'https://idp.test/', audience: 'residency-proxy', algorithms: ['ES256'], jwks: { url: 'https://idp.test/jwks.json' } }),
        ),
      },
      ['SESSIONS_EU'],
      /stores\.edge-us\.binding: the Worker has no R2 bucket bound as SESSIONS_US/,
    ],
  ];

  for (const [name, bindings, r2Buckets, logged] of cases) {
    test(`${name}: every request is refused with a 500, the reasons go to the log`, async (t) => {
      const worker = await startWorker(built, { r2Buckets, bindings });
      t.after(() => worker.stop());
      for (const path of ['/healthz', '/v1/objects/chat-transcript/x.json']) {
        const response = await fetch(`${worker.url}${path}`, { method: 'PUT', body: '{}' });
        assert.equal(response.status, 500);
        const problem = (await response.json()) as { code: string; detail: string };
        assert.equal(problem.code, 'internal_error');
        assert.doesNotMatch(problem.detail, /RESIDENCY_POLICY|stores\./, 'the configuration is not shown to callers');
      }
      assert.match(worker.output(), logged);
      for (const binding of r2Buckets) assert.deepEqual(await bucketKeys(worker, binding), []);
    });
  }
});
