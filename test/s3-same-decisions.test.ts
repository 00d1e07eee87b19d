import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { startS3Gateway, type S3Credentials, type S3TestGateway } from './helpers/s3-gateway.ts';
import { signedFetch, signerCredentials } from './helpers/s3-requests.ts';
import type { Claims } from './helpers/tokens.ts';

/**
 * The same writes through `/v1` and through S3, each door on a gateway of its
 * own: the same outcome (the `/v1` code, or success) and, after every case,
 * the same bytes under the same keys in every store.
 */

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const ADMIN = { scope: 'residency:admin' };

interface Case {
  name: string;
  claims?: Claims;
  dataClass: string;
  key: string;
  body: string | Uint8Array;
  headers?: Record<string, string>;
  /** The `/v1` code the write must end in; absent: it must succeed. */
  code?: string;
  /** Done through `/v1` on each gateway before the write (and undone after). */
  setup?: (gateway: S3TestGateway) => Promise<void>;
  teardown?: (gateway: S3TestGateway) => Promise<void>;
}

const hold = {
  async setup(gateway: S3TestGateway) {
    await gateway.as({}, '/v1/objects/chat-transcript/held.txt', { method: 'PUT', body: 'before the hold' });
    const placed = await gateway.as(ADMIN, '/v1/holds/account', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"reason":"litigation"}',
    });
    assert.ok(placed.status < 300, await placed.text());
  },
  async teardown(gateway: S3TestGateway) {
    await gateway.as(ADMIN, '/v1/holds/account', { method: 'DELETE' });
  },
};

const CASES: Case[] = [
  { name: 'a GB account: the UK/EU store', dataClass: 'chat-transcript', key: 'gb/one.txt', body: 'hello', headers: { 'content-type': 'text/plain' } },
  { name: 'an FR account: the UK/EU store', claims: { account_region: 'fr' }, dataClass: 'chat-transcript', key: 'fr/one.txt', body: 'bonjour' },
  { name: 'a US account: the US store', claims: { account_region: 'US' }, dataClass: 'chat-transcript', key: 'us/one.txt', body: 'hi' },
  { name: 'a region in no zone', claims: { account_region: 'JP' }, dataClass: 'chat-transcript', key: 'jp.txt', body: 'x', code: 'region_unknown' },
  { name: 'an unknown data class', dataClass: 'no-such-class', key: 'a.txt', body: 'x', code: 'data_class_unknown' },
  { name: 'persist: false', dataClass: 'cobrowse-screenshot', key: 'a.txt', body: 'x', code: 'data_class_not_persisted' },
  { name: 'a PNG labelled text', dataClass: 'chat-transcript', key: 'png.txt', body: PNG, headers: { 'content-type': 'text/plain' }, code: 'media_refused' },
  {
    name: 'a declared image type',
    dataClass: 'chat-transcript',
    key: 'declared',
    body: 'not really',
    headers: { 'content-type': 'image/png' },
    code: 'media_refused',
  },
  {
    name: 'a PNG inside gzip',
    dataClass: 'chat-transcript',
    key: 'png.gz',
    body: gzipSync(PNG),
    headers: { 'content-encoding': 'gzip' },
    code: 'media_refused',
  },
  {
    name: 'a PNG as base64 in JSON',
    dataClass: 'chat-transcript',
    key: 'b64.json',
    body: JSON.stringify({ blob: PNG.toString('base64') }),
    headers: { 'content-type': 'application/json' },
    code: 'media_refused',
  },
  {
    name: 'a data: URL in an rrweb-like event',
    dataClass: 'cobrowse-session',
    key: 'ev.json',
    body: JSON.stringify({ type: 3, data: { rr_dataURL: `data:image/png;base64,${PNG.toString('base64')}` } }),
    headers: { 'content-type': 'application/json' },
    code: 'media_refused',
  },
  {
    name: 'a redacting class stores the document with the image replaced',
    dataClass: 'feedback-log',
    key: 'fb.json',
    body: JSON.stringify({ note: 'see', shot: `data:image/png;base64,${PNG.toString('base64')}` }),
    headers: { 'content-type': 'application/json' },
  },
  { name: 'an empty key segment', dataClass: 'chat-transcript', key: 'a//b', body: 'x', code: 'key_invalid' },
  { name: 'a backslash in the key', dataClass: 'chat-transcript', key: 'a\\b', body: 'x', code: 'key_invalid' },
  { name: 'a key over 1024 bytes', dataClass: 'chat-transcript', key: 'k'.repeat(1025), body: 'x', code: 'key_invalid' },
  { name: 'a body over the limit', dataClass: 'chat-transcript', key: 'big.bin', body: new Uint8Array(1024 * 1024 + 1), code: 'payload_too_large' },
  { name: 'an overwrite of a held object', dataClass: 'chat-transcript', key: 'held.txt', body: 'overwritten', code: 'legal_hold', ...hold },
  { name: 'a new object while the account is held', dataClass: 'chat-transcript', key: 'new-under-hold.txt', body: 'new', ...hold },
];

const wirePath = (key: string) => key.split('/').map(encodeURIComponent).join('/');

async function viaV1(gateway: S3TestGateway, write: Case): Promise<string> {
  const response = await gateway.as(write.claims ?? {}, `/v1/objects/${write.dataClass}/${wirePath(write.key)}`, {
    method: 'PUT',
    headers: write.headers ?? {},
    body: write.body,
  });
  if (response.status === 201) return 'ok';
  return ((await response.json()) as { code: string }).code;
}

async function viaS3(gateway: S3TestGateway, write: Case): Promise<string> {
  let credentials: S3Credentials;
  try {
    credentials = await gateway.credentials(write.claims ?? {});
  } catch (error) {
    // A token STS refuses never becomes credentials: the refusal is STS's, with the same code.
    const sts = await fetch(`${gateway.s3Url}/`, {
      method: 'POST',
      body: new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', WebIdentityToken: await gateway.token(write.claims ?? {}) }),
    });
    await sts.body?.cancel();
    return sts.headers.get('x-residency-code') ?? String(error);
  }
  const response = await signedFetch(gateway.s3Url, signerCredentials(credentials), 'PUT', `/${write.dataClass}/${wirePath(write.key)}`, {
    body: write.body,
    headers: write.headers ?? {},
  });
  await response.body?.cancel();
  return response.status === 200 ? 'ok' : (response.headers.get('x-residency-code') ?? `status ${response.status}`);
}

/** Every key of every store with a digest of its bytes (objects) or its presence (markers, indexes). */
async function storeContents(gateway: S3TestGateway): Promise<string[]> {
  const contents: string[] = [];
  for (const [name, store] of gateway.stores) {
    const page = await store.list('', { limit: 1000 });
    for (const item of page.items) {
      if (!item.key.startsWith('objects/')) {
        contents.push(`${name}:${item.key}`);
        continue;
      }
      const object = await store.get(item.key);
      const bytes = Buffer.from(await new Response(object!.body).arrayBuffer());
      contents.push(`${name}:${item.key}:${item.metadata.contentType}:${createHash('sha256').update(bytes).digest('hex')}`);
    }
  }
  return contents.sort();
}

describe('the same decisions through /v1 and through S3', () => {
  let v1: S3TestGateway;
  let s3: S3TestGateway;
  before(async () => {
    [v1, s3] = await Promise.all([startS3Gateway(), startS3Gateway()]);
  });
  after(async () => {
    await Promise.all([v1?.stop(), s3?.stop()]);
  });

  for (const write of CASES) {
    it(write.name, async () => {
      await write.setup?.(v1);
      await write.setup?.(s3);
      try {
        const [fromV1, fromS3] = [await viaV1(v1, write), await viaS3(s3, write)];
        assert.equal(fromV1, write.code ?? 'ok', 'the /v1 outcome');
        assert.equal(fromS3, fromV1, 'the S3 outcome is the /v1 one');
        const [eventV1, eventS3] = [v1.audit.at(-1)!, s3.audit.at(-1)!];
        assert.equal(eventV1.frontDoor, 'v1');
        assert.equal(eventS3.frontDoor, 's3');
        assert.deepEqual(
          [eventS3.outcome, eventS3.code, eventS3.zone, eventS3.account],
          [eventV1.outcome, eventV1.code, eventV1.zone, eventV1.account],
          'the same decision is audited',
        );
        assert.deepEqual(await storeContents(s3), await storeContents(v1));
      } finally {
        await write.teardown?.(v1);
        await write.teardown?.(s3);
      }
    });
  }
});
