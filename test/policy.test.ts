import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { decide } from '../src/policy/decide.ts';
import { createFsStore } from '../src/adapters/fs.ts';
import { checkCommand } from '../src/cli/check.ts';
import { addToCatalog } from '../src/rights/class-catalog.ts';
import { developmentPolicy } from '../src/hosts/dev-policy.ts';
import { compilePolicy, loadPolicy, type PolicyLoad } from '../src/policy/load.ts';
import type { Principal } from '../src/policy/principal.ts';
import { isUkEuRegion } from '../src/policy/uk-eu.ts';
import { basePolicy, type PolicyObject } from './helpers/policies.ts';

function load(doc: unknown): PolicyLoad {
  return loadPolicy(JSON.stringify(doc));
}

function errorsOf(doc: unknown): string[] {
  const result = load(doc);
  assert.equal(result.ok, false, 'the policy should have been refused');
  return result.ok ? [] : result.errors;
}

function withUkStore(store: Record<string, unknown>): PolicyObject {
  return basePolicy({ ukStore: store });
}

describe('policy loading', () => {
  test('the example policies in deploy/ load', async () => {
    const files = (await readdir('deploy/policies')).filter((name) => name.endsWith('.yaml')).map((name) => `deploy/policies/${name}`);
    assert.ok(files.length >= 3);
    for (const file of files) {
      const result = loadPolicy(await readFile(file, 'utf8'));
      assert.deepEqual(result.ok ? [] : result.errors, [], file);
    }
  });

  test('defaults are filled in as DESIGN.md says', () => {
    const result = load(basePolicy());
    assert.ok(result.ok);
    const { document, zones } = result.policy;
    assert.deepEqual(document.auth.claims, { account: 'account_id', region: 'account_region', subject: 'sub' });
    assert.equal(document.auth.adminScope, 'residency:admin');
    assert.equal(document.limits.maxObjectBytes, 100 * 1024 * 1024);
    assert.equal(document.dataClasses['chat-transcript']?.embeddedMedia, 'refuse');
    assert.equal(document.dataClasses['chat-transcript']?.persist, true);
    assert.equal(zones.get('uk-eu')?.placement.jurisdiction, 'UK');
    assert.equal(zones.get('uk-eu')?.placement.evidence, 'proven');
  });

  test('the compiled policy names the stores its zones use, once each, and no store no zone uses', () => {
    const doc = basePolicy();
    const unused = { type: 'fs', path: './unused', jurisdiction: 'US' };
    const keys = { type: 'fs', path: './keys', jurisdiction: 'UK' };
    const result = load({
      ...doc,
      stores: { ...doc.stores, unused, 'london-keys': keys },
      zones: {
        ...doc.zones,
        'uk-eu': { ...doc.zones['uk-eu'], encryption: { key: 'dev', keyStore: 'london-keys' } },
        'uk-eu-2': { jurisdictions: ['UK'], regions: ['FR2'], store: 'london' },
      },
      encryption: { keys: { dev: { type: 'local', secretEnv: 'KEK', jurisdiction: 'UK' } } },
    });
    assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
    const { policy } = result;
    assert.deepEqual([...policy.dataStores.keys()].sort(), ['london', 'virginia']);
    assert.deepEqual([...policy.keyStores.keys()], ['london-keys']);
    assert.deepEqual([...policy.stores.keys()].sort(), ['london', 'london-keys', 'virginia']);
    assert.deepEqual(policy.stores.get('london-keys'), keys);
    const encryption = policy.zones.get('uk-eu')?.encryption;
    assert.deepEqual(encryption && { ...encryption, keyStorePlacement: encryption.keyStorePlacement.jurisdiction }, {
      keyName: 'dev',
      key: { type: 'local', secretEnv: 'KEK', jurisdiction: 'UK' },
      per: 'subject',
      keyStoreName: 'london-keys',
      keyStore: keys,
      keyStorePlacement: 'UK',
    });
    assert.equal(policy.zones.get('us')?.encryption, undefined);
  });

  const outsideUkEu: Array<[string, Record<string, unknown>, RegExp]> = [
    ['an S3 store in us-east-1', { type: 's3', bucket: 'b-uk', region: 'us-east-1' }, /in US .*outside \[UK, EU\]/],
    ['an S3 store in eu-central-2 (Zurich)', { type: 's3', bucket: 'b-uk', region: 'eu-central-2' }, /in CH .*outside/],
    ['an Azure store in switzerlandnorth', { type: 'azure-blob', container: 'c-uk', location: 'switzerlandnorth', connectionStringEnv: 'AZ' }, /in CH/],
    ['an Azure store in norwayeast', { type: 'azure-blob', container: 'c-uk', location: 'norwayeast', connectionStringEnv: 'AZ' }, /in NO/],
    ['an R2 bucket in the fedramp jurisdiction', { type: 'r2', binding: 'B', jurisdiction: 'fedramp' }, /in US/],
    ['an fs store declared in the US', { type: 'fs', path: './x', jurisdiction: 'US' }, /in US/],
  ];
  for (const [what, store, message] of outsideUkEu) {
    test(`refuses a UK/EU zone on ${what}`, () => {
      const errors = errorsOf(withUkStore(store));
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.match(errors[0]!, /^zones\.uk-eu\.store: store "london" is in /);
      assert.match(errors[0]!, message);
    });
  }

  test('accepts UK/EU zones on UK and EU regions of every provider', () => {
    for (const store of [
      { type: 's3', bucket: 'b-uk', region: 'eu-west-1' },
      { type: 's3', bucket: 'b-uk', region: 'eu-central-1' },
      { type: 'azure-blob', container: 'c-uk', location: 'uksouth', connectionStringEnv: 'AZ' },
      { type: 'azure-blob', container: 'c-uk', location: 'northeurope', connectionStringEnv: 'AZ' },
      { type: 'r2', binding: 'SESSIONS_EU', jurisdiction: 'eu' },
      { type: 'fs', path: './data/uk', jurisdiction: 'UK' },
    ]) {
      const result = load(withUkStore(store));
      assert.deepEqual(result.ok ? [] : result.errors, [], JSON.stringify(store));
    }
  });

  test('an unknown cloud region is an error, not a guess', () => {
    assert.deepEqual(errorsOf(withUkStore({ type: 's3', bucket: 'b-uk', region: 'eu-west-9' })), ['stores.london.region: unknown AWS region "eu-west-9"']);
    assert.deepEqual(errorsOf(withUkStore({ type: 'azure-blob', container: 'c-uk', location: 'europe', connectionStringEnv: 'AZ' })), [
      'stores.london.location: unknown Azure region "europe"',
    ]);
  });

  test('an AWS endpoint must be in the region of its store, however it is spelt; other endpoints are asked at start-up', () => {
    const s3 = (endpoint: string, region = 'eu-west-2') => ({ type: 's3', bucket: 'b-uk', region, endpoint });
    for (const [endpoint, named] of [
      ['https://s3.us-east-1.amazonaws.com', 'us-east-1'],
      ['https://s3.amazonaws.com', 'us-east-1'],
      ['https://b-uk.s3.amazonaws.com', 'us-east-1'],
      ['https://s3-external-1.amazonaws.com', 'us-east-1'],
      ['https://s3-us-west-2.amazonaws.com', 'us-west-2'],
      ['https://S3.DualStack.US-EAST-2.AmazonAWS.com', 'us-east-2'],
      ['https://s3-fips.us-gov-west-1.amazonaws.com', 'us-gov-west-1'],
      ['https://my-bucket-eu-west-2.s3.us-east-1.amazonaws.com', 'us-east-1'],
      ['https://bucket.vpce-1a2b3c4d-5e6f.s3.ap-southeast-1.vpce.amazonaws.com', 'ap-southeast-1'],
      ['https://s3.cn-north-1.amazonaws.com.cn', 'cn-north-1'],
      ['https://s3.dualstack.us-east-1.api.aws:443/', 'us-east-1'],
    ] as const) {
      const errors = errorsOf(withUkStore(s3(endpoint)));
      assert.deepEqual(errors.length, 1, `${endpoint}: ${errors.join('\n')}`);
      assert.match(
        errors[0]!,
        new RegExp(`^stores\\.london\\.endpoint: the endpoint .* is in AWS region "${named}", not the store's region "eu-west-2"`),
        endpoint,
      );
    }
    assert.match(
      errorsOf(withUkStore(s3('https://bucket.amazonaws.com'))).join('\n'),
      /stores\.london\.endpoint: the AWS endpoint bucket\.amazonaws\.com names no region/,
    );
    for (const endpoint of [
      'https://s3.eu-west-2.amazonaws.com',
      'https://s3-eu-west-2.amazonaws.com',
      'https://b-uk.s3.dualstack.eu-west-2.amazonaws.com',
      'http://127.0.0.1:9000',
      'https://minio.internal.example',
    ]) {
      const result = load(withUkStore(s3(endpoint)));
      assert.deepEqual(result.ok ? [] : result.errors, [], endpoint);
    }
  });

  test('an R2 bucket without a jurisdiction has no provable location', () => {
    const errors = errorsOf(withUkStore({ type: 'r2', binding: 'B' }));
    assert.match(errors.join('\n'), /stores\.london\.jurisdiction: an R2 bucket without a jurisdiction/);
  });

  test('a region claim value listed in two zones is refused, case-insensitively', () => {
    const doc = basePolicy();
    doc.zones['uk-eu'].regions.push('NO');
    doc.zones.us.regions = ['US', 'no'];
    assert.deepEqual(errorsOf(doc), ['zones.us.regions[1]: region "NO" is already listed in zone "uk-eu"']);
  });

  test('a zone naming a missing store is refused', () => {
    const doc = basePolicy();
    doc.zones.us.store = 'tokyo';
    assert.deepEqual(errorsOf(doc), ['zones.us.store: no store named "tokyo" in stores']);
  });

  test('unknown keys are refused wherever they are, with their path', () => {
    const doc = basePolicy() as Record<string, any>;
    doc.zones['uk-eu'].jurisdiction = ['US'];
    doc.auth.algorithm = 'none';
    doc.stores.london.verifyLocaton = false;
    doc.extra = true;
    const errors = errorsOf(doc);
    for (const expected of [
      'zones.uk-eu.jurisdiction: unknown key',
      'auth.algorithm: unknown key',
      'stores.london.verifyLocaton: unknown key',
      'extra: unknown key',
    ]) {
      assert.ok(
        errors.some((e) => e.includes(expected)),
        `missing "${expected}" in:\n${errors.join('\n')}`,
      );
    }
  });

  test('required keys are required', () => {
    const doc = basePolicy() as Record<string, unknown>;
    delete doc.dataClasses;
    delete (doc.auth as Record<string, unknown>).audience;
    const errors = errorsOf(doc);
    assert.ok(
      errors.some((e) => e.startsWith('dataClasses:')),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => e.startsWith('auth.audience:')),
      errors.join('\n'),
    );
  });

  test('algorithm "none" and HMAC algorithms cannot be configured', () => {
    for (const alg of ['none', 'HS256']) {
      const doc = basePolicy();
      doc.auth.algorithms = [alg];
      assert.match(errorsOf(doc).join('\n'), /^auth\.algorithms\[0\]:/);
    }
  });

  test('duplicate keys in the file and broken syntax are refused', () => {
    const dup = loadPolicy('version: 1\nversion: 1\n');
    assert.equal(dup.ok, false);
    assert.match(dup.ok ? '' : dup.errors[0]!, /not valid YAML or JSON/);
    assert.equal(loadPolicy('{"version": 1,').ok, false);
  });

  test('one invalid part refuses the whole policy', () => {
    const doc = basePolicy();
    doc.stores.virginia = { type: 's3', bucket: 'b-us', region: 'mars-1' };
    const result = load(doc);
    assert.equal(result.ok, false);
  });
});

describe('the UK/EU rule: a UK/EU account region only in a zone held to the UK and the EU', () => {
  const usZone = (regions: string[], jurisdictions = ['US']) => {
    const doc = basePolicy();
    doc.zones.us = { jurisdictions, regions, store: 'virginia' };
    // Each region in one zone only, so that the UK/EU rule is the only thing refused.
    const taken = new Set(regions.map((region) => region.toUpperCase()));
    doc.zones['uk-eu'].regions = doc.zones['uk-eu'].regions.filter((region) => !taken.has(region));
    return doc;
  };

  test('a zone "us" with regions [US, GB, DE] is refused, naming each UK/EU region and why', () => {
    assert.deepEqual(errorsOf(usZone(['US', 'GB', 'DE'])), [
      'zones.us.regions[1]: GB is a UK/EU account region; zone "us" may hold data in US',
      'zones.us.regions[2]: DE is a UK/EU account region; zone "us" may hold data in US',
    ]);
  });

  test('a zone named "uk-eu" serving GB/FR/DE from us-east-1 is refused although its jurisdictions list US', () => {
    const doc = basePolicy({ ukStore: { type: 's3', bucket: 'sessions-uk', region: 'us-east-1' } });
    doc.zones['uk-eu'] = { jurisdictions: ['UK', 'EU', 'US'], regions: ['GB', 'FR', 'DE'], store: 'london' };
    doc.zones.us.regions = ['CA'];
    const errors = errorsOf(doc);
    assert.deepEqual(
      errors,
      ['GB', 'FR', 'DE'].map((region, i) => `zones.uk-eu.regions[${i}]: ${region} is a UK/EU account region; zone "uk-eu" may hold data in US`),
    );
  });

  test('the rule holds whatever the case, the alias and whatever else the zone allows', () => {
    const variants: Array<[string[], string[], string]> = [
      [['us', 'gb'], ['US'], 'gb'],
      [['US', 'Uk'], ['US'], 'Uk'],
      [['US', 'eu'], ['US'], 'eu'],
      [['US', 'EL'], ['US'], 'EL'],
      [['US', 'hr'], ['US'], 'hr'],
      [['US', 'FR'], ['EU', 'US'], 'FR'],
      [['US', 'IE'], ['UK', 'US', 'NO'], 'IE'],
    ];
    for (const [regions, jurisdictions, offending] of variants) {
      const errors = errorsOf(usZone(regions, jurisdictions));
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.match(errors[0]!, new RegExp(`^zones\\.us\\.regions\\[1\\]: ${offending} is a UK/EU account region; zone "us" may hold data in `));
    }
  });

  test('every one of the 27 member states is a UK/EU account region', () => {
    const members = [
      'AT',
      'BE',
      'BG',
      'HR',
      'CY',
      'CZ',
      'DK',
      'EE',
      'FI',
      'FR',
      'DE',
      'GR',
      'HU',
      'IE',
      'IT',
      'LV',
      'LT',
      'LU',
      'MT',
      'NL',
      'PL',
      'PT',
      'RO',
      'SK',
      'SI',
      'ES',
      'SE',
    ];
    for (const member of members) assert.equal(errorsOf(usZone(['US', member.toLowerCase()])).length, 1, member);
  });

  test('Norway, Iceland, Liechtenstein and Switzerland may share the UK/EU zone or stay out of it', () => {
    const outside = load(usZone(['US', 'NO', 'IS', 'LI', 'CH']));
    assert.deepEqual(outside.ok ? [] : outside.errors, []);
    const doc = basePolicy();
    doc.zones['uk-eu'].regions.push('NO', 'IS', 'LI', 'CH');
    const inside = load(doc);
    assert.deepEqual(inside.ok ? [] : inside.errors, []);
  });

  test('alpha-3 codes, and EU territory with codes of its own, are UK/EU account regions too', () => {
    for (const region of ['GBR', 'gbr', 'DEU', 'Fra', 'IRL', 'SWE', 'RE', 'REU', 'GP', 'GF', 'MQ', 'YT', 'MF', 'AX', 'ala']) {
      const errors = errorsOf(usZone(['US', region]));
      assert.deepEqual(errors, [`zones.us.regions[1]: ${region} is a UK/EU account region; zone "us" may hold data in US`], region);
    }
    assert.ok(isUkEuRegion('reu') && isUkEuRegion('GBR') && isUkEuRegion('XX') === false);
  });

  test('a region that merely resembles a UK/EU code is not one (look-alikes, padding)', () => {
    for (const region of ['GBX', 'DEUX', 'E-U', 'G_B', 'NOR', 'CHE', 'USA']) {
      const result = load(usZone(['US', region]));
      assert.deepEqual(result.ok ? [] : result.errors, [], region);
    }
  });
});

describe('decisions', () => {
  const loaded = load(basePolicy());
  assert.ok(loaded.ok);
  const policy = loaded.policy;
  const principal = (region: string): Principal => ({ account: 'acme', region, scopes: new Set(), expiresAt: 0 });
  const now = Date.parse('2026-11-21T10:00:00.000Z');

  test('UK and EU region claims resolve to the UK/EU zone, any case', () => {
    for (const region of ['GB', 'gb', 'Uk', 'EU', 'ie', 'DE', 'fr', 'NL']) {
      const decision = decide(policy, principal(region), { action: 'write', dataClass: 'chat-transcript', now });
      assert.ok(decision.allowed, region);
      assert.equal(decision.zone.name, 'uk-eu');
      assert.equal(decision.zone.placement.location, 'eu-west-2');
      assert.equal(decision.ukEuAccount, true, region);
    }
    const us = decide(policy, principal('US'), { action: 'write', dataClass: 'chat-transcript', now });
    assert.equal(us.ukEuAccount, false);
    const unknownMember = decide(policy, principal('hr'), { action: 'write', dataClass: 'chat-transcript', now });
    assert.equal(unknownMember.allowed, false, 'HR is in no zone of this policy');
    assert.equal(unknownMember.ukEuAccount, true, 'explain still says a Croatian account is a UK/EU one');
  });

  test('unknown, padded or look-alike regions are refused: there is no default zone', () => {
    for (const region of ['JP', ' GB', 'GB ', 'ＧＢ', 'G\u0131', '', 'gb\u0000']) {
      const decision = decide(policy, principal(region), { action: 'write', dataClass: 'chat-transcript', now });
      assert.equal(decision.allowed, false, JSON.stringify(region));
      assert.equal(decision.allowed ? '' : decision.refusal.code, 'region_unknown');
    }
  });

  test('retention sets expiresAt; classes without retention have none', () => {
    const kept = decide(policy, principal('US'), { action: 'write', dataClass: 'chat-transcript', now });
    assert.ok(kept.allowed);
    assert.equal(kept.expiresAt, '2027-11-21T10:00:00.000Z');
    const forever = decide(policy, principal('US'), { action: 'write', dataClass: 'technical-metadata', now });
    assert.ok(forever.allowed);
    assert.equal(forever.expiresAt, undefined);
  });

  test('unknown and never-persisted data classes are refused', () => {
    const unknown = decide(policy, principal('GB'), { action: 'write', dataClass: 'nope', now });
    assert.equal(unknown.allowed ? '' : unknown.refusal.code, 'data_class_unknown');
    for (const dataClass of ['cobrowse-screenshot', 'recording']) {
      const refused = decide(policy, principal('GB'), { action: 'write', dataClass, now });
      assert.equal(refused.allowed ? '' : refused.refusal.code, 'data_class_not_persisted');
    }
  });
});

describe('check and the shipped policies under the UK/EU rule', () => {
  test('the embedded development policy loads', () => {
    const result = compilePolicy(developmentPolicy());
    assert.deepEqual(result.ok ? [] : result.errors, []);
  });

  test('`check --stores` names the data classes a store holds that the policy no longer lists', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'check-stores-'));
    try {
      const doc = basePolicy({ ukStore: { type: 'fs', path: './uk', jurisdiction: 'UK' }, usStore: { type: 'fs', path: './us', jurisdiction: 'US' } });
      const file = join(dir, 'policy.json');
      await writeFile(file, JSON.stringify(doc));
      const uk = createFsStore({ root: join(dir, 'uk') });
      await addToCatalog(uk, 'notes');
      await addToCatalog(uk, 'chat-transcript');
      const out = new PassThrough();
      const err = new PassThrough();
      const code = await checkCommand([file, '--stores'], out as unknown as typeof process.stdout, err as unknown as typeof process.stderr);
      out.end();
      const stdout = String(out.read() ?? '');
      assert.equal(code, 0);
      assert.match(stdout, /store london: holds data classes the policy no longer lists: notes \(/);
      assert.match(stdout, /store virginia: every stored data class is in the policy/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('`check` refuses a policy that sends a UK/EU region to a US zone, with the path and the reason', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'uk-eu-check-'));
    try {
      const doc = basePolicy();
      doc.zones['uk-eu'].regions = ['IE', 'FR'];
      doc.zones.us.regions = ['US', 'GB', 'DE', 'NL'];
      const file = join(dir, 'policy.json');
      await writeFile(file, JSON.stringify(doc));
      const out = new PassThrough();
      const err = new PassThrough();
      const code = await checkCommand([file], out as unknown as typeof process.stdout, err as unknown as typeof process.stderr);
      err.end();
      const stderr = String(err.read() ?? '');
      assert.equal(code, 1);
      assert.match(stderr, /3 error\(s\); the policy is refused/);
      assert.match(stderr, /zones\.us\.regions\[1\]: GB is a UK\/EU account region; zone "us" may hold data in US/);
      assert.match(stderr, /zones\.us\.regions\[3\]: NL is a UK\/EU account region/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
