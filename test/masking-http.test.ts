import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { allKeys, memoryPolicy, startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { fixture } from './helpers/masking.ts';

/** Masking through the HTTP front door: the 201 body, the audit event, explain, and refusals that store nothing. */
describe('masking over HTTP', () => {
  let gateway: TestGateway;
  const claims = { account_id: 'acme', account_region: 'GB' };

  before(async () => {
    const policy = memoryPolicy();
    policy.dataClasses['feedback-log'] = { retentionDays: 90, embeddedMedia: 'redact', mask: ['email', 'card-number'] };
    policy.dataClasses['chat-transcript'] = {
      retentionDays: 365,
      mask: ['card-number', 'email', 'phone', 'iban', 'uk-nino', 'ip-address', { name: 'ticket', pattern: 'TCK-[0-9]{5}', maxLength: 9 }],
    };
    gateway = await startTestGateway({ policy });
  });
  after(() => gateway.stop());

  it('PUT masks before storage: the 201 body and the audit event count masks by kind; GET returns the masked JSON', async () => {
    const body = fixture('chat-transcript.json');
    const put = await gateway.as(claims, '/v1/objects/chat-transcript/2026/s1.json', {
      method: 'PUT',
      body,
      headers: { 'content-type': 'application/json', 'x-subject-id': 'v-1' },
    });
    assert.equal(put.status, 201);
    const placement = (await put.json()) as { masks: Record<string, number>; size: number };
    const counts = { email: 3, 'ip-address': 1, 'card-number': 3, phone: 1, iban: 1, 'uk-nino': 1 };
    assert.deepEqual(placement.masks, counts);
    const event = gateway.audit.find((e) => e.action === 'write' && e.outcome === 'allowed');
    assert.deepEqual(event?.masks, counts);

    const get = await gateway.as(claims, '/v1/objects/chat-transcript/2026/s1.json');
    const text = await get.text();
    assert.deepEqual(JSON.parse(text), JSON.parse(new TextDecoder().decode(fixture('chat-transcript.masked.json'))));
    assert.equal(placement.size, new TextEncoder().encode(text).byteLength);
    assert.ok(!text.includes('jane.doe'));
  });

  it('custom patterns and text bodies sent in chunks', async () => {
    const parts = ['ticket TCK-', '12345 for a', '@b.co'];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
        controller.close();
      },
    });
    const put = await gateway.as(claims, '/v1/objects/chat-transcript/t.txt', { method: 'PUT', body, headers: { 'content-type': 'text/plain' } });
    assert.equal(put.status, 201);
    assert.deepEqual(((await put.json()) as { masks: unknown }).masks, { ticket: 1, email: 1 });
    assert.equal(await (await gateway.as(claims, '/v1/objects/chat-transcript/t.txt')).text(), 'ticket [ticket] for [email]');
  });

  it('a class that redacts embedded media and masks: the inspector redacts first, masking then sees the rest; a data URL is never taken for a value', async () => {
    const png = readFileSync(new URL('./fixtures/media/image.png', import.meta.url)).toString('base64');
    const body = JSON.stringify({ text: 'mail me at jane@example.com', shot: `data:image/png;base64,${png}`, card: '4111111111111111' });
    const put = await gateway.as(claims, '/v1/objects/feedback-log/f.json', { method: 'PUT', body, headers: { 'content-type': 'application/json' } });
    assert.equal(put.status, 201);
    const placement = (await put.json()) as { masks: Record<string, number>; redactions: number };
    assert.equal(placement.redactions, 1);
    assert.deepEqual(placement.masks, { email: 1, 'card-number': 1 });
    const stored = JSON.parse(await (await gateway.as(claims, '/v1/objects/feedback-log/f.json')).text());
    assert.deepEqual(stored, { text: 'mail me at [email]', shot: '[media redacted]', card: '************1111' });
  });

  it('a class that refuses media still refuses it when it also masks: nothing stored', async () => {
    const png = readFileSync(new URL('./fixtures/media/image.png', import.meta.url)).toString('base64');
    const store = gateway.stores.get('london')!;
    const before = await allKeys(store, 'objects/');
    const body = JSON.stringify({ text: 'a@b.co', shot: `data:image/png;base64,${png}` });
    const put = await gateway.as(claims, '/v1/objects/chat-transcript/with-media.json', {
      method: 'PUT',
      body,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(put.status, 415);
    assert.deepEqual(await allKeys(store, 'objects/'), before);
  });

  it('explain lists the masks of a class (and none for a class without)', async () => {
    const explain = async (dataClass: string) =>
      (await (
        await gateway.as(claims, '/v1/explain', {
          method: 'POST',
          body: JSON.stringify({ dataClass, contentType: 'application/json' }),
          headers: { 'content-type': 'application/json' },
        })
      ).json()) as { masks: string[] };
    assert.deepEqual((await explain('chat-transcript')).masks, ['card-number', 'email', 'phone', 'iban', 'uk-nino', 'ip-address', 'ticket']);
    assert.deepEqual((await explain('cobrowse-session')).masks, []);
  });

  it('a body that cannot be masked is refused (422) and nothing is stored', async () => {
    const store = gateway.stores.get('london')!;
    const before = await allKeys(store, 'objects/');
    for (const [contentType, headers] of [
      ['application/octet-stream', {}],
      ['text/plain', { 'content-encoding': 'gzip' }],
    ] as const) {
      const response = await gateway.as(claims, '/v1/objects/chat-transcript/refused.bin', {
        method: 'PUT',
        body: 'a@b.co',
        headers: { 'content-type': contentType, ...headers },
      });
      assert.equal(response.status, 422, contentType);
      assert.equal(((await response.json()) as { code: string }).code, 'body_uninspectable');
    }
    assert.deepEqual(await allKeys(store, 'objects/'), before);
  });
});
