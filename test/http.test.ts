import { runtimeDecodes } from '../src/media/inspect.ts';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { allKeys, startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { rawRequest, type RawResponse } from './helpers/raw-http.ts';

const PNG = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
  0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89,
]);

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(() => gw.stop());

const GB = { account_id: 'acme', account_region: 'GB' };
const US = { account_id: 'acme', account_region: 'US' };

async function problemOf(response: Response | RawResponse) {
  const raw = 'body' in response && typeof response.body === 'string' ? (response as RawResponse) : undefined;
  const text = raw ? raw.body : await (response as Response).text();
  const contentType = raw ? /content-type: ([^\r\n]+)/i.exec(raw.headers)?.[1] : (response as Response).headers.get('content-type');
  assert.equal(contentType, 'application/problem+json', text);
  const problem = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as Record<string, unknown>;
  for (const field of ['type', 'title', 'status', 'detail', 'code', 'requestId']) assert.ok(field in problem, `problem has ${field}: ${text}`);
  return problem;
}

async function storedKeys(): Promise<Record<string, string[]>> {
  return Object.fromEntries(await Promise.all([...gw.stores].map(async ([name, store]) => [name, await allKeys(store)] as const)));
}

async function assertNothingStored(under: string) {
  for (const [name, keys] of Object.entries(await storedKeys())) {
    assert.deepEqual(
      keys.filter((key) => key.includes(under)),
      [],
      `store ${name} holds ${under}`,
    );
  }
}

describe('objects', () => {
  test('PUT stores in the zone of the region claim and answers 201 with the placement', async () => {
    const response = await gw.as(GB, '/v1/objects/chat-transcript/2026/11/21/s1.json', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"hello":"world"}',
    });
    assert.equal(response.status, 201, await response.clone().text());
    assert.equal(response.headers.get('x-residency-zone'), 'uk-eu');
    assert.equal(response.headers.get('x-residency-location'), 'local');
    assert.ok(response.headers.get('x-request-id'));
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.account, 'acme');
    assert.equal(body.key, '2026/11/21/s1.json');
    assert.equal(body.zone, 'uk-eu');
    assert.equal(body.store, 'london');
    assert.equal(body.jurisdiction, 'UK');
    assert.equal(body.size, 17);
    assert.match(String(body.expiresAt), /^\d{4}-\d\d-\d\dT/);
    const stored = await storedKeys();
    assert.ok(stored.london!.some((key) => key.startsWith('objects/chat-transcript/acme/') && key.endsWith('/2026/11/21/s1.json')));
    assert.deepEqual(stored.virginia, []);
  });

  test('GET streams it back with its content type; HEAD has the headers only', async () => {
    const path = '/v1/objects/chat-transcript/round/trip.json';
    await gw.as(GB, path, { method: 'PUT', headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"a":1}' });
    const got = await gw.as(GB, path);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(await got.text(), '{"a":1}');
    const audited = gw.audit.length;
    const head = await gw.as(GB, path, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), '7');
    assert.equal(head.headers.get('etag'), got.headers.get('etag'));
    assert.equal(await head.text(), '');
    // A HEAD reads the object's headers, not its body: audited as a head, with no bytes read.
    const event = gw.audit.slice(audited).find((e) => e.action === 'head' || e.action === 'read');
    assert.equal(event?.action, 'head');
    assert.equal(event?.bytes, undefined);
  });

  test('DELETE answers 204, then the object is gone (404 problem)', async () => {
    const path = '/v1/objects/chat-transcript/to-delete.txt';
    await gw.as(GB, path, { method: 'PUT', body: 'bye' });
    assert.equal((await gw.as(GB, path, { method: 'DELETE' })).status, 204);
    const gone = await gw.as(GB, path);
    assert.equal(gone.status, 404);
    assert.equal((await problemOf(gone)).code, 'not_found');
    assert.equal((await gw.as(GB, path, { method: 'DELETE' })).status, 404);
  });

  test('US accounts land in the US store', async () => {
    const response = await gw.as(US, '/v1/objects/chat-transcript/us-1.json', { method: 'PUT', body: '{}' });
    assert.equal(response.status, 201);
    const stored = await storedKeys();
    assert.ok(stored.virginia!.some((key) => key.endsWith('/us-1.json')));
    assert.ok(!stored.london!.some((key) => key.endsWith('/us-1.json')));
  });

  test('an unknown region is refused and nothing is written anywhere', async () => {
    const response = await gw.as({ account_id: 'acme', account_region: 'JP' }, '/v1/objects/chat-transcript/jp.json', { method: 'PUT', body: '{}' });
    assert.equal(response.status, 403);
    assert.equal((await problemOf(response)).code, 'region_unknown');
    await assertNothingStored('jp.json');
  });

  test('unknown and never-persisted data classes are refused', async () => {
    const unknown = await gw.as(GB, '/v1/objects/nope/x', { method: 'PUT', body: 'x' });
    assert.equal(unknown.status, 400);
    assert.equal((await problemOf(unknown)).code, 'data_class_unknown');
    for (const dataClass of ['cobrowse-screenshot', 'recording']) {
      const refused = await gw.as(GB, `/v1/objects/${dataClass}/x`, { method: 'PUT', body: 'x' });
      assert.equal(refused.status, 403);
      assert.equal((await problemOf(refused)).code, 'data_class_not_persisted');
    }
    await assertNothingStored('/x');
  });

  test('declared media types and media bytes under a text label are refused, nothing stored', async () => {
    const declared = await gw.as(GB, '/v1/objects/chat-transcript/declared.bin', {
      method: 'PUT',
      headers: { 'content-type': 'image/png' },
      body: 'not really',
    });
    assert.equal(declared.status, 415);
    assert.equal((await problemOf(declared)).code, 'media_refused');
    const disguised = await gw.as(GB, '/v1/objects/chat-transcript/disguised.json', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: PNG,
    });
    assert.equal(disguised.status, 415);
    assert.equal((await problemOf(disguised)).code, 'media_refused');
    await assertNothingStored('declared.bin');
    await assertNothingStored('disguised.json');
  });

  test('media inside gzip or br Content-Encoding is refused; an encoded text body is stored as sent', async () => {
    for (const [encoding, encode] of [
      ['gzip', gzipSync],
      ['br', brotliCompressSync],
    ] as const) {
      const refused = await gw.as(GB, `/v1/objects/chat-transcript/packed-${encoding}.json`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
        body: encode(Buffer.concat([Buffer.from('{"shot":"'), Buffer.from(PNG), Buffer.from('"}')])),
      });
      assert.equal(refused.status, 415, encoding);
      assert.equal((await problemOf(refused)).code, 'media_refused');
      await assertNothingStored(`packed-${encoding}.json`);
      const text = encode(Buffer.from('{"text":"hello, nothing to see"}'));
      if (encoding === 'br' && !runtimeDecodes('br')) {
        // Node 22's brotli cannot be trusted to the last byte: br is refused unread there, and nothing is stored.
        const unread = await gw.as(GB, `/v1/objects/chat-transcript/text-${encoding}.json`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', 'content-encoding': encoding },
          body: text,
        });
        assert.equal(unread.status, 415);
        await assertNothingStored(`text-${encoding}.json`);
        continue;
      }
      const stored = await gw.as(GB, `/v1/objects/chat-transcript/text-${encoding}.json`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
        body: text,
      });
      assert.equal(stored.status, 201, encoding);
      assert.equal(((await stored.json()) as { size: number }).size, text.byteLength);
      const head = await gw.as(GB, `/v1/objects/chat-transcript/text-${encoding}.json`, { method: 'HEAD' });
      assert.equal(head.headers.get('content-encoding'), encoding, 'the stored encoding is served back');
    }
  });

  test('text that mentions PNG or data: is stored', async () => {
    const response = await gw.as(GB, '/v1/objects/chat-transcript/mentions.txt', {
      method: 'PUT',
      headers: { 'content-type': 'text/plain' },
      body: 'PNG files and data: URLs were discussed; GIF is a format.',
    });
    assert.equal(response.status, 201);
  });

  test('bodies over the limit are refused, with and without Content-Length, and nothing is stored', async () => {
    const big = new Uint8Array(1024 * 1024 + 1).fill(0x61);
    const declared = await gw.as(GB, '/v1/objects/chat-transcript/big-declared.txt', { method: 'PUT', body: big });
    assert.equal(declared.status, 413);
    assert.equal((await problemOf(declared)).code, 'payload_too_large');
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new Uint8Array(64 * 1024).fill(0x62));
        controller.close();
      },
    });
    const streamed = await gw.as(GB, '/v1/objects/chat-transcript/big-chunked.txt', { method: 'PUT', body: chunked });
    assert.equal(streamed.status, 413);
    assert.equal((await problemOf(streamed)).code, 'payload_too_large');
    await assertNothingStored('big-');
  });

  test("an account cannot read, list or delete another account's object with the same key", async () => {
    const path = '/v1/objects/chat-transcript/shared-name.json';
    await gw.as(GB, path, { method: 'PUT', body: '{"owner":"acme"}' });
    const globex = { account_id: 'globex', account_region: 'GB' };
    assert.equal((await gw.as(globex, path)).status, 404);
    assert.equal((await gw.as(globex, path, { method: 'HEAD' })).status, 404);
    assert.equal((await gw.as(globex, path, { method: 'DELETE' })).status, 404);
    const listing = (await (await gw.as(globex, '/v1/objects/chat-transcript?prefix=shared')).json()) as { items: unknown[] };
    assert.deepEqual(listing.items, []);
    assert.equal(await (await gw.as(GB, path)).text(), '{"owner":"acme"}');
    const own = await gw.as(globex, path, { method: 'PUT', body: '{"owner":"globex"}' });
    assert.equal(own.status, 201);
    assert.equal(await (await gw.as(GB, path)).text(), '{"owner":"acme"}');
    assert.equal(await (await gw.as(globex, path)).text(), '{"owner":"globex"}');
  });

  test('list pages through keys with prefix, limit and cursor', async () => {
    const account = { account_id: 'lister', account_region: 'DE' };
    for (let i = 0; i < 7; i++) {
      assert.equal((await gw.as(account, `/v1/objects/cobrowse-session/day1/s${i}.json`, { method: 'PUT', body: `{"i":${i}}` })).status, 201);
    }
    await gw.as(account, '/v1/objects/cobrowse-session/day2/other.json', { method: 'PUT', body: '{}' });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `prefix=day1/&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const response = await gw.as(account, `/v1/objects/cobrowse-session?${query}`);
      assert.equal(response.status, 200);
      const page = (await response.json()) as { items: Array<{ key: string; size: number }>; cursor: string | null };
      assert.ok(page.items.length <= 3);
      seen.push(...page.items.map((item) => item.key));
      cursor = page.cursor;
      pages++;
    } while (cursor && pages < 10);
    assert.deepEqual(
      seen,
      [0, 1, 2, 3, 4, 5, 6].map((i) => `day1/s${i}.json`),
    );
    assert.ok(pages >= 3);
    const badLimit = await gw.as(account, '/v1/objects/cobrowse-session?limit=0');
    assert.equal((await problemOf(badLimit)).code, 'bad_request');
    const badCursor = await gw.as(account, '/v1/objects/cobrowse-session?cursor=%25%25not-a-cursor');
    assert.equal(badCursor.status, 400);
    assert.equal((await problemOf(badCursor)).code, 'bad_request');
  });
});

describe('keys', () => {
  const refused: Array<[string, string]> = [
    ['a "..” segment', '/v1/objects/chat-transcript/a/../b'],
    ['a percent-encoded ".." segment', '/v1/objects/chat-transcript/a/%2e%2e/b'],
    ['a "." segment', '/v1/objects/chat-transcript/./b'],
    ['an empty segment', '/v1/objects/chat-transcript/a//b'],
    ['a trailing slash', '/v1/objects/chat-transcript/a/'],
    ['a leading slash', '/v1/objects/chat-transcript//a'],
    ['a NUL', '/v1/objects/chat-transcript/a%00b'],
    ['a newline', '/v1/objects/chat-transcript/a%0Ab'],
    ['a backslash', '/v1/objects/chat-transcript/a%5Cb'],
    ['invalid UTF-8', '/v1/objects/chat-transcript/a%FFb'],
    ['a malformed escape', '/v1/objects/chat-transcript/a%zz'],
    ['1025 bytes', `/v1/objects/chat-transcript/${'k'.repeat(1025)}`],
  ];
  for (const [what, path] of refused) {
    test(`a key with ${what} is refused (key_invalid), nothing stored`, async () => {
      const response = await rawRequest(gw.url, [`PUT ${path} HTTP/1.1`, `Authorization: Bearer ${await gw.token()}`], 'x');
      assert.equal(response.status, 400, response.headers);
      assert.equal((await problemOf(response)).code, 'key_invalid');
    });
  }

  // The store key (objects/<class>/<account>/<key>) is held to S3's 1024 bytes on every store: 995 bytes of key for account acme's chat transcripts.
  test('keys with spaces, unicode and slashes up to the longest the store key allows are fine', async () => {
    for (const key of ['with space.txt', 'ünïcødé/日本語.txt', `${'k'.repeat(991)}.txt`]) {
      const path = `/v1/objects/chat-transcript/${key.split('/').map(encodeURIComponent).join('/')}`;
      const put = await gw.as(GB, path, { method: 'PUT', body: key });
      assert.equal(put.status, 201, key);
      assert.equal(((await put.json()) as { key: string }).key, key);
      assert.equal(await (await gw.as(GB, path)).text(), key);
    }
  });

  test('a key or a Content-Type that carries media (base64 or hex of a PNG, a data: URL, glued to a path) is refused like a body, nothing stored', async () => {
    // a whole PNG of one pixel: a key has room for little more
    const pixel = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    const base64 = pixel.toString('base64url');
    for (const key of [base64, `shots/${base64}`, `a${base64}`, `ab-${base64}`, `hex/${pixel.toString('hex')}`, `data:image/png;base64,${base64}`]) {
      const put = await gw.as(GB, `/v1/objects/chat-transcript/${key.split('/').map(encodeURIComponent).join('/')}`, { method: 'PUT', body: '{}' });
      assert.equal(put.status, 415, key);
      const problem = await problemOf(put);
      assert.equal(problem.code, 'media_refused', key);
      assert.match(String(problem.detail), /PNG image .*of the object key/, key);
      await assertNothingStored(key.slice(-24));
    }
    const typed = await gw.as(GB, '/v1/objects/chat-transcript/typed.txt', {
      method: 'PUT',
      body: 'hello',
      headers: { 'content-type': `text/plain; name="data:image/png;base64,${base64}"` },
    });
    assert.equal(typed.status, 415, 'a data: URL in a Content-Type parameter');
    assert.match(String((await problemOf(typed)).detail), /of the Content-Type/);
    await assertNothingStored('typed.txt');
  });

  test('one byte more than the store key allows is key_invalid naming the real limit, nothing stored', async () => {
    const key = `${'k'.repeat(992)}.txt`;
    const put = await gw.as(GB, `/v1/objects/chat-transcript/${key}`, { method: 'PUT', body: key });
    assert.equal(put.status, 400);
    const problem = await problemOf(put);
    assert.equal(problem.code, 'key_invalid');
    assert.match(String(problem.detail), /at most 995 bytes/);
    await assertNothingStored(key);
  });

  test('all refused keys left nothing behind', async () => {
    const stored = await storedKeys();
    for (const keys of Object.values(stored)) {
      assert.ok(!keys.some((key) => /\/(b|a\/|k{1025})$/.test(key)), keys.join('\n'));
    }
  });
});

describe('headers', () => {
  test('no token, a token in the query string or a cookie: token_missing', async () => {
    const token = await gw.token();
    for (const init of [{}, { headers: { cookie: `token=${token}` } }]) {
      const response = await fetch(`${gw.url}/v1/objects/chat-transcript/x?access_token=${token}`, init);
      assert.equal(response.status, 401);
      assert.equal((await problemOf(response)).code, 'token_missing');
    }
  });

  test('two Authorization headers are refused, even when both are valid', async () => {
    const token = await gw.token();
    const response = await rawRequest(gw.url, [
      'GET /v1/objects/chat-transcript/x HTTP/1.1',
      `Authorization: Bearer ${token}`,
      `Authorization: Bearer ${token}`,
    ]);
    assert.equal(response.status, 401);
    assert.equal((await problemOf(response)).code, 'token_invalid');
  });

  test('two Content-Type headers are a 400 and nothing is stored', async () => {
    const response = await rawRequest(
      gw.url,
      [
        'PUT /v1/objects/chat-transcript/two-types.json HTTP/1.1',
        `Authorization: Bearer ${await gw.token()}`,
        'Content-Type: application/json',
        'Content-Type: image/png',
      ],
      '{}',
    );
    assert.equal(response.status, 400);
    assert.equal((await problemOf(response)).code, 'bad_request');
    await assertNothingStored('two-types.json');
  });

  test('a 1 MiB token is refused before it is parsed', async () => {
    const response = await fetch(`${gw.url}/v1/objects/chat-transcript/x`, { headers: { authorization: `Bearer ${'a'.repeat(1024 * 1024)}` } });
    assert.ok(response.status === 431 || response.status === 401, String(response.status));
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
    assert.doesNotMatch(await response.text(), /aaaaaaaa/);
  });
});

describe('explain', () => {
  test('says where a write would go, and stores nothing', async () => {
    const response = await gw.as(GB, '/v1/explain', {
      method: 'POST',
      body: JSON.stringify({ dataClass: 'chat-transcript', contentType: 'application/json' }),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { allowed: boolean; placement: Record<string, string> };
    assert.equal(body.allowed, true);
    assert.deepEqual(body.placement, { zone: 'uk-eu', store: 'london', location: 'local', jurisdiction: 'UK', evidence: 'declared' });
  });

  test('says why a write would be refused', async () => {
    const cases: Array<[Record<string, string>, Record<string, unknown>, string]> = [
      [GB, { dataClass: 'recording', contentType: 'application/json' }, 'data_class_not_persisted'],
      [GB, { dataClass: 'chat-transcript', contentType: 'video/webm' }, 'media_refused'],
      [GB, { dataClass: 'chat-transcript', contentType: 'application/json', sample: Buffer.from(PNG).toString('base64') }, 'media_refused'],
      [{ account_id: 'acme', account_region: 'CH' }, { dataClass: 'chat-transcript', contentType: 'text/plain' }, 'region_unknown'],
    ];
    for (const [claims, request, code] of cases) {
      const body = (await (await gw.as(claims, '/v1/explain', { method: 'POST', body: JSON.stringify(request) })).json()) as { allowed: boolean; code: string };
      assert.equal(body.allowed, false, JSON.stringify(request));
      assert.equal(body.code, code, JSON.stringify(request));
    }
  });

  test("says whether the token is a UK/EU account by the gateway's own table, whatever the policy lists", async () => {
    const explain = async (region: string) =>
      (await (
        await gw.as({ account_id: 'acme', account_region: region }, '/v1/explain', { method: 'POST', body: '{"dataClass":"chat-transcript"}' })
      ).json()) as {
        ukEuAccount: boolean;
        allowed: boolean;
      };
    for (const region of ['GB', 'gb', 'UK', 'EU', 'DE', 'fr', 'EL']) assert.equal((await explain(region)).ukEuAccount, true, region);
    for (const region of ['US', 'CH', 'NO', 'IS', 'JP']) assert.equal((await explain(region)).ukEuAccount, false, region);
    // A UK/EU region the test policy does not list is still a UK/EU account, and still refused: there is no default zone.
    assert.deepEqual(await explain('PL'), { ...(await explain('PL')), ukEuAccount: true, allowed: false });
  });

  test('a malformed request is a 400 problem', async () => {
    const response = await gw.as(GB, '/v1/explain', { method: 'POST', body: '{"dataClass":' });
    assert.equal(response.status, 400);
    assert.equal((await problemOf(response)).code, 'bad_request');
  });
});

describe('operations', () => {
  test('healthz, readyz and metrics answer without a token', async () => {
    assert.equal((await fetch(`${gw.url}/healthz`)).status, 200);
    const ready = await fetch(`${gw.url}/readyz`);
    assert.equal(ready.status, 200);
    const readiness = (await ready.json()) as { stores: Array<{ store: string; state: string }> };
    assert.deepEqual(readiness.stores.map((s) => [s.store, s.state]).sort(), [
      ['london', 'ready'],
      ['virginia', 'ready'],
    ]);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    assert.match(metrics, /residency_http_requests_total\{method="PUT",route="\/v1\/objects\/\{dataClass\}\/\{key\}",status="201"\} \d+/);
    assert.match(metrics, /residency_decisions_total\{action="write",outcome="refused",code="media_refused"\} \d+/);
    assert.match(metrics, /residency_media_refused_total\{kind="image",format="PNG"\} \d+/);
  });

  test('every decision is audited, without keys or subjects in clear', async () => {
    const before = gw.audit.length;
    const response = await gw.as(GB, '/v1/objects/chat-transcript/audited/secret-name.json', {
      method: 'PUT',
      headers: { 'x-subject-id': 'visitor-42' },
      body: '{}',
    });
    assert.equal(response.status, 201);
    const event = gw.audit.slice(before).find((e) => e.action === 'write');
    assert.ok(event);
    assert.equal(event.outcome, 'allowed');
    assert.equal(event.account, 'acme');
    assert.equal(event.zone, 'uk-eu');
    assert.equal(event.dataClass, 'chat-transcript');
    assert.equal(event.bytes, 2);
    assert.match(event.policyVersion, /^[0-9a-f]{16}$/);
    assert.ok(event.key && !event.key.includes('secret-name'));
    assert.ok(event.subject && !event.subject.includes('visitor-42'));
    const refused = await gw.as({ account_id: 'acme', account_region: 'JP' }, '/v1/objects/chat-transcript/x', { method: 'PUT', body: '{}' });
    assert.equal(refused.status, 403);
    assert.ok(gw.audit.some((e) => e.outcome === 'refused' && e.code === 'region_unknown'));
  });
});
