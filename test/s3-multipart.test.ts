import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { streamOf } from '../src/adapters/streams.ts';
import { MultipartRefusal, MultipartService, removeAbandonedUploads } from '../src/service/multipart.ts';
import type { Call } from '../src/service/objects.ts';
import { isRefusal } from '../src/policy/refusal.ts';
import { startS3Gateway, type S3TestGateway } from './helpers/s3-gateway.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const DAY = 86_400_000;

describe('multipart uploads in the object service', () => {
  let gateway: S3TestGateway;
  const now = Date.now();
  let multipart: MultipartService;
  const call = (): Call => ({
    principal: { account: 'acme', region: 'GB', scopes: new Set(), expiresAt: Math.floor(now / 1000) + 600 },
    trail: { action: 'write' },
  });
  const text = (value: string) => streamOf(new TextEncoder().encode(value));

  before(async () => {
    gateway = await startS3Gateway({ now: () => now });
    const { deps } = gateway;
    multipart = new MultipartService({ policy: deps.policy, stores: deps.stores, objects: deps.objects, hashIdentifier: deps.hashIdentifier, now: () => now });
  });
  after(() => gateway?.stop());

  async function upload(key: string, parts: string[]): Promise<{ uploadId: string; etags: string[] }> {
    const name = { dataClass: 'chat-transcript', key };
    const uploadId = await multipart.create(call(), name, { contentType: 'application/json', contentEncoding: '' });
    const etags: string[] = [];
    for (const [index, part] of parts.entries()) etags.push((await multipart.uploadPart(call(), name, uploadId, index + 1, text(part))).etag);
    return { uploadId, etags };
  }

  it('parts are staged in the zone store, the object appears only at Complete, in part order', async () => {
    const { uploadId, etags } = await upload('doc.json', ['{"a":', '"b"}']);
    const london = gateway.stores.get('london')!;
    assert.ok((await london.list('uploads/')).items.length >= 3, 'manifest and parts are in the UK store');
    assert.deepEqual((await gateway.stores.get('virginia')!.list('')).items, [], 'nothing is staged outside the zone');
    await assert.rejects(
      gateway.deps.objects.head(call(), { dataClass: 'chat-transcript', key: 'doc.json' }),
      (error: unknown) => isRefusal(error) && error.code === 'not_found',
    );
    const placement = await multipart.complete(
      call(),
      { dataClass: 'chat-transcript', key: 'doc.json' },
      uploadId,
      etags.map((etag, i) => ({ partNumber: i + 1, etag })),
    );
    assert.equal(placement.size, 9);
    const read = await gateway.deps.objects.read(call(), { dataClass: 'chat-transcript', key: 'doc.json' });
    assert.equal(await new Response(read.body).text(), '{"a":"b"}');
    assert.deepEqual((await london.list('uploads/')).items, [], 'nothing staged is left');
  });

  it('a base64 PNG split across a part boundary is found at Complete; nothing is left', async () => {
    const encoded = JSON.stringify({ blob: PNG.toString('base64') });
    const cut = encoded.indexOf('iVBOR') + 3;
    const { uploadId, etags } = await upload('split.json', [encoded.slice(0, cut), encoded.slice(cut)]);
    const keysBefore = await gateway.storedKeys();
    await assert.rejects(
      multipart.complete(
        call(),
        { dataClass: 'chat-transcript', key: 'split.json' },
        uploadId,
        etags.map((etag, i) => ({ partNumber: i + 1, etag })),
      ),
      (error: unknown) => isRefusal(error) && error.code === 'media_refused',
    );
    const keysAfter = await gateway.storedKeys();
    assert.ok(!keysAfter.some((key) => key.includes('split.json')));
    assert.ok(!keysAfter.some((key) => key.includes('uploads/')), 'the refused upload left no staged part');
    assert.ok(keysAfter.length <= keysBefore.length);
  });

  it('an upload is bound to its key, its data class and its account', async () => {
    const { uploadId } = await upload('bound.txt', ['x']);
    const other = async (run: () => Promise<unknown>) =>
      assert.rejects(run(), (error: unknown) => error instanceof MultipartRefusal && error.problem === 'NoSuchUpload');
    await other(() => multipart.uploadPart(call(), { dataClass: 'chat-transcript', key: 'other.txt' }, uploadId, 2, text('y')));
    await other(() => multipart.uploadPart(call(), { dataClass: 'cobrowse-session', key: 'bound.txt' }, uploadId, 2, text('y')));
    const otherAccount: Call = {
      principal: { account: 'globex', region: 'GB', scopes: new Set(), expiresAt: Math.floor(now / 1000) + 600 },
      trail: { action: 'write' },
    };
    await other(() => multipart.listParts(otherAccount, { dataClass: 'chat-transcript', key: 'bound.txt' }, uploadId));
    await other(() => multipart.listParts(call(), { dataClass: 'chat-transcript', key: 'bound.txt' }, '../../objects'));
    await multipart.abort(call(), { dataClass: 'chat-transcript', key: 'bound.txt' }, uploadId);
  });

  it('abandoned uploads are removed once their staging has expired, not before', async () => {
    await upload('abandoned.txt', ['part one', 'part two']);
    const london = gateway.stores.get('london')!;
    assert.equal(await removeAbandonedUploads(london, now + DAY), 0);
    assert.equal((await london.list('uploads/')).items.length, 3);
    assert.equal(await removeAbandonedUploads(london, now + 8 * DAY), 3);
    assert.deepEqual((await london.list('uploads/')).items, []);
  });
});
