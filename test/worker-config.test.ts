import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CompiledPolicy } from '../src/policy/load.ts';
import { loadEdgePolicy } from '../src/hosts/worker.ts';
import { openEdgeStores } from '../src/hosts/worker-stores.ts';
import { basePolicy } from './helpers/policies.ts';

const EU_R2 = { type: 'r2', binding: 'SESSIONS_EU', jurisdiction: 'eu' };
const US_R2 = { type: 'r2', binding: 'SESSIONS_US', jurisdiction: 'fedramp' };

function edgeErrors(document: object): string[] {
  const loaded = loadEdgePolicy(JSON.stringify(document));
  return loaded.ok ? [] : loaded.errors;
}

function edgePolicy(document: object): CompiledPolicy {
  const loaded = loadEdgePolicy(JSON.stringify(document));
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.errors.join('\n'));
  return loaded.policy;
}

/** Enough of an R2 binding for openEdgeStores to take it for one. */
const fakeBucket = () => Object.fromEntries(['head', 'get', 'put', 'delete', 'list', 'createMultipartUpload'].map((method) => [method, () => {}]));

describe('the policy at the edge', () => {
  test('R2 and S3 stores are accepted', () => {
    assert.deepEqual(edgeErrors(basePolicy({ ukStore: EU_R2, usStore: US_R2 })), []);
    assert.deepEqual(edgeErrors(basePolicy({ ukStore: EU_R2 })), []);
  });

  test('an Azure, filesystem or memory store that a zone uses is refused, naming the store', () => {
    const azure = { type: 'azure-blob', container: 'sessions', location: 'northeurope', connectionStringEnv: 'AZURE_EU' };
    assert.deepEqual(edgeErrors(basePolicy({ ukStore: azure, usStore: US_R2 })), [
      'stores.london: azure-blob stores do not run on Workers (the Azure SDK needs Node); at the edge use an r2 or s3 store',
    ]);
    const [fsError] = edgeErrors(basePolicy({ ukStore: { type: 'fs', path: './data', jurisdiction: 'UK' }, usStore: US_R2 }));
    assert.match(fsError ?? '', /^stores\.london: fs stores need a filesystem/);
    const [memoryError] = edgeErrors(basePolicy({ ukStore: EU_R2, usStore: { type: 'memory', jurisdiction: 'US' } }));
    assert.match(memoryError ?? '', /^stores\.virginia: memory stores lose their objects/);
  });

  test('a store no zone uses is not opened, so its kind does not matter', () => {
    const document = basePolicy({ ukStore: EU_R2, usStore: US_R2 });
    const stores: Record<string, object> = {
      ...document.stores,
      dublin: { type: 'azure-blob', container: 'sessions', location: 'northeurope', connectionStringEnv: 'AZURE_EU' },
    };
    assert.deepEqual(edgeErrors({ ...document, stores }), []);
  });

  test('a JWKS file is refused: Workers have no filesystem', () => {
    const document = basePolicy({ ukStore: EU_R2, usStore: US_R2 });
    assert.deepEqual(edgeErrors({ ...document, auth: { ...document.auth, jwks: { file: './jwks.json' } } }), [
      'auth.jwks.file: Workers have no filesystem; give the keys as auth.jwks.url or auth.jwks.keys',
    ]);
  });

  test("an R2 bucket outside its zone's jurisdictions, or without a jurisdiction, is a policy error", () => {
    assert.deepEqual(edgeErrors(basePolicy({ ukStore: { ...EU_R2, jurisdiction: 'fedramp' }, usStore: US_R2 })), [
      'zones.uk-eu.store: store "london" is in US (R2 FedRAMP jurisdiction), outside [UK, EU]',
    ]);
    assert.deepEqual(edgeErrors(basePolicy({ ukStore: { type: 'r2', binding: 'SESSIONS_EU' }, usStore: US_R2 })), [
      'stores.london.jurisdiction: an R2 bucket without a jurisdiction has no guaranteed location',
    ]);
  });
});

describe('the stores at the edge', () => {
  test('R2 stores come from bucket bindings, S3 stores take their credentials from secrets', async () => {
    const policy = edgePolicy(basePolicy({ ukStore: EU_R2 }));
    const opened = await openEdgeStores(policy, { SESSIONS_EU: fakeBucket(), AWS_ACCESS_KEY_ID: 'id', AWS_SECRET_ACCESS_KEY: 'secret' });
    assert.ok(opened.ok, opened.ok ? '' : opened.errors.join('\n'));
    assert.deepEqual(
      [...opened.stores].map(([name, store]) => [name, store.kind]),
      [
        ['london', 'r2'],
        ['virginia', 's3'],
      ],
    );
  });

  test('a missing bucket binding, a variable where a bucket should be, and missing S3 secrets are each named', async () => {
    const policy = edgePolicy(basePolicy({ ukStore: EU_R2 }));
    assert.deepEqual(await openEdgeStores(policy, {}), {
      ok: false,
      errors: [
        'stores.london.binding: the Worker has no R2 bucket bound as SESSIONS_EU (wrangler.toml [[r2_buckets]])',
        'stores.virginia: an S3 store at the edge needs the Worker secrets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (wrangler secret put)',
      ],
    });
    const notABucket = await openEdgeStores(edgePolicy(basePolicy({ ukStore: EU_R2, usStore: US_R2 })), { SESSIONS_EU: 'a string', SESSIONS_US: fakeBucket() });
    assert.deepEqual(notABucket, {
      ok: false,
      errors: ['stores.london.binding: the Worker has no R2 bucket bound as SESSIONS_EU (wrangler.toml [[r2_buckets]])'],
    });
  });
});
