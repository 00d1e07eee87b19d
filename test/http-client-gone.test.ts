import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { allKeys, startTestGateway, type TestGateway } from './helpers/gateway.ts';

/**
 * A client that goes away mid-upload: nothing is stored, the audit event says
 * the write failed because the client closed the request (not an internal
 * error), and the gateway's metrics count a disconnect rather than a 500.
 */
let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(() => gw.stop());

async function cutOffUpload(key: string, sentBytes: number): Promise<void> {
  const { hostname, port } = new URL(gw.url);
  const token = await gw.token();
  await new Promise<void>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        [
          `PUT /v1/objects/chat-transcript/${key} HTTP/1.1`,
          `Host: ${hostname}`,
          `Authorization: Bearer ${token}`,
          'Content-Type: text/plain',
          'Content-Length: 100000',
          '',
          '',
        ].join('\r\n'),
      );
      socket.write('x'.repeat(sentBytes), () => setTimeout(() => socket.destroy(), 50));
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

async function auditOf(key: string) {
  const hashed = await gw.deps.hashIdentifier(key);
  for (let waited = 0; waited < 5_000; waited += 20) {
    const event = gw.audit.find((e) => e.action === 'write' && e.key === hashed);
    if (event) return event;
    await sleep(20);
  }
  throw new Error(`no audit event for ${key}`);
}

for (const sentBytes of [0, 10, 50_000]) {
  test(`an upload cut off after ${sentBytes} of 100000 bytes: audited as failed, client_closed; nothing stored`, async () => {
    const key = `cut-${sentBytes}.txt`;
    await cutOffUpload(key, sentBytes);
    const event = await auditOf(key);
    assert.equal(event.outcome, 'failed');
    assert.equal(event.code, 'client_closed');
    for (const store of gw.stores.values())
      assert.deepEqual(
        (await allKeys(store)).filter((k) => k.includes(key)),
        [],
      );
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    assert.match(metrics, /residency_http_client_disconnects_total\{method="PUT",route="\/v1\/objects\/\{dataClass\}\/\{key\}"\} [1-9]/);
    assert.doesNotMatch(metrics, /residency_http_requests_total\{method="PUT",[^}]*status="500"\}/);
  });
}
