import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createChecksum, toBase64 } from '../src/auth/sigv4/checksums.ts';
import { SignatureFailure, verifiedPayload, verifyRequest, type SignableRequest, type VerifiedRequest } from '../src/auth/sigv4/index.ts';
import { amzTimestamp, chunkSignature, presignQuery, sha256Hex, signedChunkedBody, signHeaders, unsignedChunkedBody } from './helpers/s3-signer.ts';

// The example credentials, time and requests of the SigV4 pages of the Amazon S3 API reference.
const EXAMPLE = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const EXAMPLE_NOW = Date.UTC(2013, 4, 24, 0, 0, 0);
const EMPTY = sha256Hex('');

function request(method: string, rawPath: string, rawQuery: string, headers: Record<string, string | string[]>): SignableRequest {
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value : [value]]));
  return { method, rawPath, rawQuery, headerValues: (name) => lower[name] ?? [], headerNames: () => Object.keys(lower) };
}

function authorization(signedHeaders: string, signature: string, region = 'us-east-1'): string {
  return `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/${region}/s3/aws4_request,SignedHeaders=${signedHeaders},Signature=${signature}`;
}

const resolveExample = (secret = EXAMPLE.secretAccessKey) => ({
  now: EXAMPLE_NOW,
  async resolve(accessKeyId: string) {
    if (accessKeyId !== EXAMPLE.accessKeyId) throw new SignatureFailure('InvalidAccessKeyId', 'unknown key');
    return { secretAccessKey: secret, identity: accessKeyId };
  },
});

async function refusedWith(promise: Promise<unknown>, s3Code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof SignatureFailure && error.s3Code === s3Code);
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function streamOf(bytes: Uint8Array, pieceSize = 1000): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + pieceSize));
      offset += pieceSize;
    },
  });
}

const docGet = () =>
  request('GET', '/test.txt', '', {
    host: 'examplebucket.s3.amazonaws.com',
    range: 'bytes=0-9',
    'x-amz-content-sha256': EMPTY,
    'x-amz-date': '20130524T000000Z',
    authorization: authorization('host;range;x-amz-content-sha256;x-amz-date', 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41'),
  });

describe('SigV4 documentation vectors', () => {
  it('GET object with a Range header', async () => {
    const verified = await verifyRequest(docGet(), resolveExample());
    assert.equal(verified.identity, EXAMPLE.accessKeyId);
    assert.deepEqual(verified.payload, { kind: 'sha256', hex: EMPTY });
  });

  it('PUT object: a $ in the key, a Date header and a storage class signed', async () => {
    const payload = '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072';
    const put = request('PUT', '/test%24file.text', '', {
      host: 'examplebucket.s3.amazonaws.com',
      date: 'Fri, 24 May 2013 00:00:00 GMT',
      'x-amz-date': '20130524T000000Z',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      'x-amz-content-sha256': payload,
      authorization: authorization(
        'date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class',
        '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
      ),
    });
    const verified = await verifyRequest(put, resolveExample());
    const body = await readAll(verifiedPayload(streamOf(new TextEncoder().encode('Welcome to Amazon S3.')), put, verified));
    assert.equal(new TextDecoder().decode(body), 'Welcome to Amazon S3.');
    const tampered = verifiedPayload(streamOf(new TextEncoder().encode('Welcome to Amazon S4.')), put, verified);
    await refusedWith(readAll(tampered), 'XAmzContentSHA256Mismatch');
  });

  for (const [query, signature] of [
    ['lifecycle', 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543'],
    ['max-keys=2&prefix=J', '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7'],
  ] as const) {
    it(`GET bucket ?${query}: query parameters in the canonical request`, async () => {
      const get = request('GET', '/', query, {
        host: 'examplebucket.s3.amazonaws.com',
        'x-amz-date': '20130524T000000Z',
        'x-amz-content-sha256': EMPTY,
        authorization: authorization('host;x-amz-content-sha256;x-amz-date', signature),
      });
      await verifyRequest(get, resolveExample());
    });
  }

  it('a presigned GET, valid for a day and no longer', async () => {
    const query =
      'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';
    const get = request('GET', '/test.txt', query, { host: 'examplebucket.s3.amazonaws.com' });
    const verified = await verifyRequest(get, resolveExample());
    assert.deepEqual(verified.payload, { kind: 'unsigned' });
    await verifyRequest(get, { ...resolveExample(), now: EXAMPLE_NOW + 86_400_000 });
    await refusedWith(verifyRequest(get, { ...resolveExample(), now: EXAMPLE_NOW + 86_401_000 }), 'AccessDenied');
    const moved = request('GET', '/test2.txt', query, { host: 'examplebucket.s3.amazonaws.com' });
    await refusedWith(verifyRequest(moved, resolveExample()), 'SignatureDoesNotMatch');
  });

  const chunkedHeaders = {
    host: 's3.amazonaws.com',
    'x-amz-date': '20130524T000000Z',
    'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': '66560',
  };
  const objectBytes = new Uint8Array(66560).fill(0x61);

  it('a chunked upload: seed and every chunk signature of the documented example', async () => {
    const put = request('PUT', '/examplebucket/chunkObject.txt', '', {
      ...chunkedHeaders,
      'content-length': '66824',
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      authorization: authorization(
        'content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class',
        '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
      ),
    });
    const verified = await verifyRequest(put, resolveExample());
    const documented = [
      'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
      '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
      'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
    ];
    const { body, signatures } = signedChunkedBody(
      { ...verified.chain, key: Buffer.from(verified.chain.key), signature: verified.chain.seedSignature, headers: {} },
      [objectBytes.subarray(0, 65536), objectBytes.subarray(65536)],
    );
    assert.deepEqual(signatures, documented);
    assert.equal(body.length, 66824);
    const decoded = await readAll(verifiedPayload(streamOf(body, 777), put, verified));
    assert.deepEqual(decoded, objectBytes);
  });

  it('a chunked upload with a signed CRC32C trailer: the documented example', async () => {
    const put = request('PUT', '/examplebucket/chunkObject.txt', '', {
      ...chunkedHeaders,
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
      'x-amz-trailer': 'x-amz-checksum-crc32c',
      authorization: authorization(
        'content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer',
        '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e',
      ),
    });
    const verified = await verifyRequest(put, resolveExample());
    const crc = createChecksum('crc32c');
    crc.update(objectBytes);
    assert.equal(toBase64(crc.digest()), 'sOO8/Q==');
    const signer = {
      key: Buffer.from(verified.chain.key),
      signature: verified.chain.seedSignature,
      scope: verified.chain.scope,
      timestamp: verified.chain.timestamp,
      headers: {},
    };
    const { body, signatures } = signedChunkedBody(signer, [objectBytes.subarray(0, 65536), objectBytes.subarray(65536)], 'x-amz-checksum-crc32c:sOO8/Q==');
    assert.deepEqual(signatures, [
      'b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2',
      '1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7',
      '2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992',
    ]);
    assert.ok(body.toString('latin1').endsWith('x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n'));
    assert.deepEqual(await readAll(verifiedPayload(streamOf(body, 4096), put, verified)), objectBytes);
    const wrongChecksum = Buffer.from(body.toString('latin1').replace('sOO8/Q==', 'AAAAAA=='), 'latin1');
    await assert.rejects(readAll(verifiedPayload(streamOf(wrongChecksum), put, verified)), SignatureFailure);
  });
});

describe('SigV4 refusals', () => {
  const credentials = { accessKeyId: EXAMPLE.accessKeyId, secretAccessKey: EXAMPLE.secretAccessKey };
  const now = Date.now();
  const options = { now, resolve: resolveExample().resolve };
  const live = (headers: Record<string, string>, signed: ReturnType<typeof signHeaders>, path = '/chat-transcript/a.txt') =>
    request('PUT', path, '', { ...headers, ...signed.headers });

  it('a signature made with another secret', async () => {
    const signed = signHeaders(
      { method: 'PUT', path: '/chat-transcript/a.txt', headers: { host: 'gw' }, body: 'x' },
      { ...credentials, secretAccessKey: 'not-the-secret' },
    );
    await refusedWith(verifyRequest(live({}, signed), options), 'SignatureDoesNotMatch');
  });

  it('an unknown access key', async () => {
    const signed = signHeaders(
      { method: 'PUT', path: '/chat-transcript/a.txt', headers: { host: 'gw' }, body: 'x' },
      { ...credentials, accessKeyId: 'ASIAOTHER' },
    );
    await refusedWith(verifyRequest(live({}, signed), options), 'InvalidAccessKeyId');
  });

  it('a signed header changed after signing, a path changed, a header added twice', async () => {
    const signed = signHeaders(
      { method: 'PUT', path: '/chat-transcript/a.txt', headers: { host: 'gw', 'content-type': 'text/plain', 'x-amz-meta-subject-id': 'v1' }, body: 'x' },
      credentials,
    );
    await verifyRequest(live({}, signed), options);
    await refusedWith(
      verifyRequest(request('PUT', '/chat-transcript/a.txt', '', { ...signed.headers, 'content-type': 'image/png' }), options),
      'SignatureDoesNotMatch',
    );
    await refusedWith(
      verifyRequest(request('PUT', '/chat-transcript/a.txt', '', { ...signed.headers, 'x-amz-meta-subject-id': 'v2' }), options),
      'SignatureDoesNotMatch',
    );
    await refusedWith(verifyRequest(request('PUT', '/chat-transcript/b.txt', '', signed.headers), options), 'SignatureDoesNotMatch');
    await refusedWith(verifyRequest(request('PUT', '/chat-transcript/a.txt', 'uploads', signed.headers), options), 'SignatureDoesNotMatch');
    await refusedWith(
      verifyRequest(request('PUT', '/chat-transcript/a.txt', '', { ...signed.headers, 'content-type': ['text/plain', 'image/png'] }), options),
      'SignatureDoesNotMatch',
    );
  });

  it('an x-amz-* header sent but not signed (a session token, a subject id, a checksum)', async () => {
    const signed = signHeaders({ method: 'GET', path: '/chat-transcript/a.txt', headers: { host: 'gw' } }, credentials);
    for (const added of ['x-amz-security-token', 'x-amz-meta-subject-id', 'x-amz-checksum-crc32', 'content-md5']) {
      await refusedWith(verifyRequest(request('GET', '/chat-transcript/a.txt', '', { ...signed.headers, [added]: 'added' }), options), 'AccessDenied');
    }
    await verifyRequest(request('GET', '/chat-transcript/a.txt', '', { ...signed.headers, 'user-agent': 'not signed, not needed' }), options);
  });

  it('a request whose method changed, whose scope is for another day or service, or whose Authorization is doubled', async () => {
    const signed = signHeaders({ method: 'GET', path: '/chat-transcript/a.txt', headers: { host: 'gw' } }, credentials);
    await verifyRequest(request('GET', '/chat-transcript/a.txt', '', signed.headers), options);
    await refusedWith(verifyRequest(request('DELETE', '/chat-transcript/a.txt', '', signed.headers), options), 'SignatureDoesNotMatch');
    const yesterday = signed.headers.authorization!.replace(
      /Credential=([^/]+)\/(\d{8})/,
      (_, key: string, date: string) => `Credential=${key}/${String(Number(date) - 1)}`,
    );
    await refusedWith(
      verifyRequest(request('GET', '/chat-transcript/a.txt', '', { ...signed.headers, authorization: yesterday }), options),
      'SignatureDoesNotMatch',
    );
    const sts = signed.headers.authorization!.replace('/s3/aws4_request', '/sts/aws4_request');
    await refusedWith(verifyRequest(request('GET', '/chat-transcript/a.txt', '', { ...signed.headers, authorization: sts }), options), 'AccessDenied');
    await refusedWith(
      verifyRequest(
        request('GET', '/chat-transcript/a.txt', '', { ...signed.headers, authorization: [signed.headers.authorization!, signed.headers.authorization!] }),
        options,
      ),
      'InvalidArgument',
    );
    const noHost = signed.headers.authorization!.replace('SignedHeaders=host;', 'SignedHeaders=');
    await refusedWith(verifyRequest(request('GET', '/chat-transcript/a.txt', '', { ...signed.headers, authorization: noHost }), options), 'AccessDenied');
  });

  it('a chunked body longer or shorter than its x-amz-decoded-content-length', async () => {
    const signed = signHeaders(
      {
        method: 'PUT',
        path: '/chat-transcript/a.txt',
        headers: { host: 'gw', 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '100' },
        payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      },
      credentials,
    );
    const put = request('PUT', '/chat-transcript/a.txt', '', signed.headers);
    const verified = await verifyRequest(put, options);
    assert.equal((await readAll(verifiedPayload(streamOf(signedChunkedBody(signed, [new Uint8Array(100)]).body), put, verified))).length, 100);
    await refusedWith(readAll(verifiedPayload(streamOf(signedChunkedBody(signed, [new Uint8Array(101)]).body), put, verified)), 'IncompleteBody');
    await refusedWith(readAll(verifiedPayload(streamOf(signedChunkedBody(signed, [new Uint8Array(99)]).body), put, verified)), 'IncompleteBody');
  });

  it('a request replayed past the 15-minute skew, or dated ahead of it', async () => {
    const signed = signHeaders({ method: 'PUT', path: '/chat-transcript/a.txt', headers: { host: 'gw' }, timestamp: amzTimestamp(now) }, credentials);
    await verifyRequest(live({}, signed), { ...options, now: now + 14 * 60_000 });
    await refusedWith(verifyRequest(live({}, signed), { ...options, now: now + 16 * 60_000 }), 'RequestTimeTooSkewed');
    await refusedWith(verifyRequest(live({}, signed), { ...options, now: now - 16 * 60_000 }), 'RequestTimeTooSkewed');
  });

  it('a presigned URL dated in the future, or with an expiry beyond seven days', async () => {
    const query = presignQuery({ method: 'GET', path: '/chat-transcript/a.txt', headers: { host: 'gw' }, expiresSeconds: 60 }, credentials);
    await verifyRequest(request('GET', '/chat-transcript/a.txt', query, { host: 'gw' }), options);
    await refusedWith(
      verifyRequest(request('GET', '/chat-transcript/a.txt', query, { host: 'gw' }), { ...options, now: now - 20 * 60_000 }),
      'RequestTimeTooSkewed',
    );
    const tooLong = presignQuery({ method: 'GET', path: '/chat-transcript/a.txt', headers: { host: 'gw' }, expiresSeconds: 604_801 }, credentials);
    await refusedWith(verifyRequest(request('GET', '/chat-transcript/a.txt', tooLong, { host: 'gw' }), options), 'AuthorizationQueryParametersError');
  });

  it('no signature at all, or one in both the header and the query', async () => {
    await refusedWith(verifyRequest(request('GET', '/', '', { host: 'gw' }), options), 'AccessDenied');
    const signed = signHeaders({ method: 'GET', path: '/chat-transcript/a.txt', headers: { host: 'gw' } }, credentials);
    const query = presignQuery({ method: 'GET', path: '/chat-transcript/a.txt', headers: { host: 'gw' }, expiresSeconds: 60 }, credentials);
    await refusedWith(verifyRequest(request('GET', '/chat-transcript/a.txt', query, signed.headers), options), 'InvalidArgument');
  });

  it('a body that does not match its x-amz-content-sha256, found only at its end', async () => {
    const signed = signHeaders({ method: 'PUT', path: '/chat-transcript/a.txt', headers: { host: 'gw' }, body: 'hello' }, credentials);
    const put = live({}, signed);
    const verified = await verifyRequest(put, options);
    assert.equal(new TextDecoder().decode(await readAll(verifiedPayload(streamOf(new TextEncoder().encode('hello')), put, verified))), 'hello');
    await refusedWith(readAll(verifiedPayload(streamOf(new TextEncoder().encode('hellO')), put, verified)), 'XAmzContentSHA256Mismatch');
    await refusedWith(readAll(verifiedPayload(streamOf(new TextEncoder().encode('hello!')), put, verified)), 'XAmzContentSHA256Mismatch');
  });

  async function chunkedPut(): Promise<{ put: SignableRequest; verified: VerifiedRequest<string>; signed: ReturnType<typeof signHeaders> }> {
    const signed = signHeaders(
      {
        method: 'PUT',
        path: '/chat-transcript/a.txt',
        headers: { host: 'gw', 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '20000' },
        payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      },
      credentials,
    );
    const put = live({}, signed);
    return { put, verified: await verifyRequest(put, options), signed };
  }

  it('a bad chunk signature mid-body: nothing after the bad chunk passes on', async () => {
    const { put, verified, signed } = await chunkedPut();
    const chunks = [new Uint8Array(8192).fill(1), new Uint8Array(8192).fill(2), new Uint8Array(3616).fill(3)];
    const good = signedChunkedBody(signed, chunks).body;
    assert.equal((await readAll(verifiedPayload(streamOf(good), put, verified))).length, 20000);
    // The second chunk's bytes changed in flight: its signature no longer matches.
    const tampered = Buffer.from(good);
    tampered[tampered.indexOf('\r\n', 8300) + 2 + 10] = 9;
    const passed: Uint8Array[] = [];
    const reader = verifiedPayload(streamOf(tampered, 512), put, verified).getReader();
    await assert.rejects(
      (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          passed.push(value);
        }
      })(),
      (error: unknown) => error instanceof SignatureFailure && error.s3Code === 'SignatureDoesNotMatch',
    );
    assert.equal(
      passed.reduce((sum, piece) => sum + piece.length, 0),
      8192,
      'only the verified first chunk passed',
    );
  });

  it('chunks reordered, a chunk dropped, the final chunk missing, bytes after the end', async () => {
    const { put, verified, signed } = await chunkedPut();
    const a = new Uint8Array(10000).fill(1);
    const b = new Uint8Array(10000).fill(2);
    const frame = (data: Uint8Array, sig: string) =>
      Buffer.concat([Buffer.from(`${data.length.toString(16)};chunk-signature=${sig}\r\n`), Buffer.from(data), Buffer.from('\r\n')]);
    const sigA = chunkSignature(signed, signed.signature, a);
    const sigB = chunkSignature(signed, sigA, b);
    const sigEnd = chunkSignature(signed, sigB, new Uint8Array(0));
    const end = frame(new Uint8Array(0), sigEnd);
    const attempts = {
      reordered: Buffer.concat([frame(b, sigB), frame(a, sigA), end]),
      dropped: Buffer.concat([frame(a, sigA), end]),
      unfinished: Buffer.concat([frame(a, sigA), frame(b, sigB)]),
      trailing: Buffer.concat([frame(a, sigA), frame(b, sigB), end, Buffer.from('extra')]),
    };
    assert.equal((await readAll(verifiedPayload(streamOf(Buffer.concat([frame(a, sigA), frame(b, sigB), end])), put, verified))).length, 20000);
    for (const [name, body] of Object.entries(attempts)) {
      await assert.rejects(readAll(verifiedPayload(streamOf(body), put, verified)), SignatureFailure, name);
    }
  });

  for (const algorithm of ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const) {
    it(`an unsigned chunked body with a ${algorithm} trailer: verified, and refused when it does not match`, async () => {
      const data = new TextEncoder().encode('the quick brown fox '.repeat(1000));
      const checksum = createChecksum(algorithm);
      checksum.update(data);
      const trailer = `x-amz-checksum-${algorithm}:${toBase64(checksum.digest())}`;
      const signed = signHeaders(
        {
          method: 'PUT',
          path: '/chat-transcript/a.txt',
          headers: {
            host: 'gw',
            'content-encoding': 'aws-chunked',
            'x-amz-decoded-content-length': String(data.length),
            'x-amz-trailer': `x-amz-checksum-${algorithm}`,
          },
          payloadHash: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        },
        credentials,
      );
      const put = live({}, signed);
      const verified = await verifyRequest(put, options);
      const body = unsignedChunkedBody([data.subarray(0, 8192), data.subarray(8192)], trailer);
      assert.deepEqual(await readAll(verifiedPayload(streamOf(body, 300), put, verified)), data);
      const changed = Uint8Array.from(data);
      changed[5000] = changed[5000]! ^ 1;
      await refusedWith(readAll(verifiedPayload(streamOf(unsignedChunkedBody([changed], trailer)), put, verified)), 'BadDigest');
      await refusedWith(readAll(verifiedPayload(streamOf(unsignedChunkedBody([data.subarray(1)], trailer)), put, verified)), 'BadDigest');
    });
  }
});

describe('trailer checksums', () => {
  const hex = (algorithm: 'crc32' | 'crc32c' | 'crc64nvme', pieces: Uint8Array[]) => {
    const checksum = createChecksum(algorithm);
    for (const piece of pieces) checksum.update(piece);
    return Buffer.from(checksum.digest()).toString('hex');
  };

  it('the standard check values of "123456789"', () => {
    const nine = new TextEncoder().encode('123456789');
    assert.equal(hex('crc32', [nine]), 'cbf43926');
    assert.equal(hex('crc32c', [nine]), 'e3069283');
    assert.equal(hex('crc64nvme', [nine]), 'ae8b14860a799888');
  });

  it('the same value however the body is split into pieces', () => {
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7919) & 255);
    for (const algorithm of ['crc32', 'crc32c', 'crc64nvme'] as const) {
      const whole = hex(algorithm, [data]);
      for (const cut of [1, 3, 7, 8, 9, 500, 999])
        assert.equal(hex(algorithm, [data.subarray(0, cut), data.subarray(cut)]), whole, `${algorithm} cut at ${cut}`);
      assert.equal(
        hex(
          algorithm,
          Array.from(data, (byte) => Uint8Array.of(byte)),
        ),
        whole,
        `${algorithm} byte by byte`,
      );
    }
  });
});
