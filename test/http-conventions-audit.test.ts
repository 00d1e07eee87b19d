import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AuditEvent } from '../src/service/audit.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

const GB = { account_id: 'acme', account_region: 'GB', sub: 'billing-service' };
const ADMIN = { ...GB, sub: 'privacy-desk', scope: 'residency:admin' };
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(() => gw.stop());

/** The audit events one request left. */
async function eventsOf(request: () => Promise<Response>): Promise<AuditEvent[]> {
  const before = gw.audit.length;
  const response = await request();
  await response.body?.cancel();
  return gw.audit.slice(before);
}

describe('who called, and through which door, in every audit event', () => {
  const object = '/v1/objects/chat-transcript/audit/who.json';
  const cases: Array<[string, Record<string, unknown>, () => Promise<Response>]> = [
    ['write', GB, () => gw.as(GB, object, { method: 'PUT', headers: { 'x-subject-id': 'visitor-7' }, body: '{}' })],
    ['read', GB, () => gw.as(GB, object)],
    ['list', GB, () => gw.as(GB, '/v1/objects/chat-transcript?prefix=audit/')],
    ['explain', GB, () => gw.as(GB, '/v1/explain', { method: 'POST', body: '{"dataClass":"chat-transcript","contentType":"application/json"}' })],
    ['write', GB, () => gw.as(GB, '/v1/objects/chat-transcript/audit/refused.png', { method: 'PUT', headers: { 'content-type': 'image/png' }, body: PNG })],
    ['hold-place', ADMIN, () => gw.as(ADMIN, '/v1/holds/subjects/visitor-8', { method: 'PUT', body: '{"reason":"litigation 42"}' })],
    ['list-holds', ADMIN, () => gw.as(ADMIN, '/v1/holds')],
    ['hold-release', ADMIN, () => gw.as(ADMIN, '/v1/holds/subjects/visitor-8', { method: 'DELETE' })],
    ['list-subject', ADMIN, () => gw.as(ADMIN, '/v1/subjects/visitor-7/objects')],
    ['erase-subject', ADMIN, () => gw.as(ADMIN, '/v1/subjects/visitor-7', { method: 'DELETE' })],
    ['delete', GB, () => gw.as(GB, object, { method: 'DELETE' })],
    ['list-holds', GB, () => gw.as(GB, '/v1/holds')],
  ];
  for (const [action, claims, request] of cases) {
    test(`${action} by ${String(claims.sub)}: one event naming the caller and the v1 front door`, async () => {
      const events = await eventsOf(request);
      assert.equal(events.length, 1, JSON.stringify(events));
      const [event] = events as [AuditEvent];
      assert.equal(event.action, action);
      assert.equal(event.caller, claims.sub);
      assert.equal(event.frontDoor, 'v1');
      assert.equal(event.account, 'acme');
    });
  }

  test('a request refused before the token is verified: the front door, and no caller it could not prove', async () => {
    const events = await eventsOf(() => fetch(`${gw.url}/v1/objects/chat-transcript/x`, { headers: { authorization: 'Bearer x.y.z' } }));
    assert.equal(events.length, 1);
    assert.equal(events[0]!.frontDoor, 'v1');
    assert.equal(events[0]!.outcome, 'refused');
    assert.equal(events[0]!.code, 'token_invalid');
    assert.equal(events[0]!.caller, undefined);
  });
});

describe('explain is audited with its verdict', () => {
  const explain = (body: Record<string, unknown>) => eventsOf(() => gw.as(GB, '/v1/explain', { method: 'POST', body: JSON.stringify(body) }));

  test('allowed', async () => {
    const [event] = await explain({ dataClass: 'chat-transcript', contentType: 'application/json' });
    assert.deepEqual([event?.outcome, event?.code, event?.zone], ['allowed', undefined, 'uk-eu']);
  });

  test('refused by the data class, by the declared type, and by a sample: refused, with the code the answer gives', async () => {
    for (const [body, code] of [
      [{ dataClass: 'recording', contentType: 'application/json' }, 'data_class_not_persisted'],
      [{ dataClass: 'chat-transcript', contentType: 'image/png' }, 'media_refused'],
      [{ dataClass: 'chat-transcript', contentType: 'application/octet-stream', sample: btoa(String.fromCharCode(...PNG)) }, 'media_refused'],
      [{ dataClass: 'no-such-class' }, 'data_class_unknown'],
    ] as const) {
      const before = gw.audit.length;
      const response = await gw.as(GB, '/v1/explain', { method: 'POST', body: JSON.stringify(body) });
      assert.equal(response.status, 200, 'explain answers its verdict');
      const answer = (await response.json()) as { allowed: boolean; code: string };
      assert.deepEqual([answer.allowed, answer.code], [false, code]);
      const [event] = gw.audit.slice(before);
      assert.deepEqual([event?.action, event?.outcome, event?.code], ['explain', 'refused', code]);
    }
  });

  test('the decision metric counts it the same way, and an allowed decision has no empty code label', async () => {
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    assert.match(metrics, /^residency_decisions_total\{action="explain",outcome="refused",code="media_refused"\} [1-9]/m);
    assert.match(metrics, /^residency_decisions_total\{action="explain",outcome="allowed"\} [1-9]/m);
    assert.doesNotMatch(metrics, /code=""/);
  });
});
