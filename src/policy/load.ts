import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import type { Jurisdiction } from './locations.ts';
import { isUkEuRegion, jurisdictionsOutsideUkEu } from './uk-eu.ts';
import { protectionErrors } from './protection-checks.ts';
import { locateStore, type StorePlacement } from './placement.ts';
import { asciiUpper } from './ascii.ts';
import { policySchema, type DataClassConfig, type PolicyDocument, type StoreConfig, type ZoneConfig } from './schema.ts';
import type { EncryptionKeyConfig } from './protection-schema.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

export interface CompiledZone {
  name: string;
  jurisdictions: readonly Jurisdiction[];
  /** Region claim values, upper-cased (ASCII). */
  regions: readonly string[];
  storeName: string;
  store: StoreConfig;
  placement: StorePlacement;
  /** Present when the zone encrypts its data (DESIGN "Masking and encryption offered to Customers"). */
  encryption?: CompiledZoneEncryption;
}

/** A zone's envelope encryption with its key and key store looked up: what a host opens and the service checks. */
export interface CompiledZoneEncryption {
  keyName: string;
  key: EncryptionKeyConfig;
  /** One data key per data subject, or one for the whole account. */
  per: 'subject' | 'account';
  keyStoreName: string;
  keyStore: StoreConfig;
  keyStorePlacement: StorePlacement;
}

export interface CompiledPolicy {
  document: PolicyDocument;
  zones: ReadonlyMap<string, CompiledZone>;
  /** Upper-cased region claim value → zone. */
  zoneByRegion: ReadonlyMap<string, CompiledZone>;
  dataClasses: ReadonlyMap<string, DataClassConfig>;
  /** Every store a zone uses, by name, each once: its data and key stores. Stores no zone uses are never opened. */
  stores: ReadonlyMap<string, StoreConfig>;
  /** The stores the zones keep data in. */
  dataStores: ReadonlyMap<string, StoreConfig>;
  /** The stores the zones keep wrapped data keys in, by name, each once (never a data store: refused at load). */
  keyStores: ReadonlyMap<string, StoreConfig>;
  /** A short hash of the loaded policy, recorded in every audit event and shown by /readyz and the metrics. */
  version: string;
}

export { asciiUpper };

export type PolicyLoad = { ok: true; policy: CompiledPolicy } | { ok: false; errors: string[] };

/**
 * Parses, validates and compiles a policy file (YAML or JSON; JSON is YAML).
 * All-or-nothing: any error refuses the whole policy, and every error names
 * its path in the file.
 */
export function loadPolicy(text: string): PolicyLoad {
  let raw: unknown;
  try {
    // uniqueKeys: a duplicated key is an error, not "last one wins".
    raw = parseYaml(text, { uniqueKeys: true, prettyErrors: false, maxAliasCount: 50 });
  } catch (error) {
    const message = error instanceof YAMLParseError ? error.message.split('\n')[0] : String(error);
    return { ok: false, errors: [`(file): not valid YAML or JSON: ${message}`] };
  }
  const parsed = policySchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.flatMap(describeIssue) };
  return compilePolicy(parsed.data);
}

export function compilePolicy(document: PolicyDocument): PolicyLoad {
  const errors: string[] = [];
  const placements = new Map<string, StorePlacement>();
  for (const [name, store] of Object.entries(document.stores)) {
    const located = locateStore(store);
    if (located.ok) placements.set(name, located.placement);
    else errors.push(`stores.${name}.${located.path}: ${located.message}`);
  }

  const zones = new Map<string, CompiledZone>();
  const zoneByRegion = new Map<string, CompiledZone>();
  for (const [name, zone] of Object.entries(document.zones)) {
    errors.push(...ukEuRegionErrors(name, zone));
    const store = document.stores[zone.store];
    if (!store) {
      errors.push(`zones.${name}.store: no store named "${zone.store}" in stores`);
      continue;
    }
    const placement = placements.get(zone.store);
    if (!placement) continue; // its location error is already reported
    if (!zone.jurisdictions.includes(placement.jurisdiction)) {
      errors.push(
        `zones.${name}.store: store "${zone.store}" is in ${placement.jurisdiction} (${placement.where}), ` + `outside [${zone.jurisdictions.join(', ')}]`,
      );
      continue;
    }
    const compiled: CompiledZone = {
      name,
      jurisdictions: zone.jurisdictions,
      regions: zone.regions.map(asciiUpper),
      storeName: zone.store,
      store,
      placement,
    };
    const encryption = zoneEncryption(document, zone, placements);
    if (encryption) compiled.encryption = encryption;
    zones.set(name, compiled);
    compiled.regions.forEach((region, index) => {
      const other = zoneByRegion.get(region);
      if (other) {
        errors.push(`zones.${name}.regions[${index}]: region "${region}" is already listed in zone "${other.name}"`);
      } else {
        zoneByRegion.set(region, compiled);
      }
    });
  }
  errors.push(...protectionErrors(document, placements));
  if (errors.length > 0) return { ok: false, errors };
  const compiledZones = [...zones.values()];
  const dataStores = new Map(compiledZones.map((zone) => [zone.storeName, zone.store]));
  const keyStores = new Map(compiledZones.flatMap(({ encryption }) => (encryption ? [[encryption.keyStoreName, encryption.keyStore] as const] : [])));
  return {
    ok: true,
    policy: {
      document,
      zones,
      zoneByRegion,
      dataClasses: new Map(Object.entries(document.dataClasses)),
      stores: new Map([...dataStores, ...keyStores]),
      dataStores,
      keyStores,
      version: policyVersion(document),
    },
  };
}

/** The zone's encryption with its key and key store, or undefined when it has none or names what does not exist or cannot be located (reported by protectionErrors). */
function zoneEncryption(document: PolicyDocument, zone: ZoneConfig, placements: ReadonlyMap<string, StorePlacement>): CompiledZoneEncryption | undefined {
  if (!zone.encryption) return undefined;
  const { key: keyName, per, keyStore: keyStoreName } = zone.encryption;
  const key = document.encryption?.keys[keyName];
  const keyStore = document.stores[keyStoreName];
  const keyStorePlacement = placements.get(keyStoreName);
  return key && keyStore && keyStorePlacement ? { keyName, key, per, keyStoreName, keyStore, keyStorePlacement } : undefined;
}

/** A short hash of the policy, worked out once when it is compiled (synchronously: compiling is). */
function policyVersion(document: PolicyDocument): string {
  return bytesToHex(sha256(new TextEncoder().encode(JSON.stringify(document))).subarray(0, 8));
}

/**
 * Promise 1 does not rest on the zone's name or its author's care: a region
 * claim value of a UK/EU account may only belong to a zone whose
 * jurisdictions are all UK or EU.
 */
function ukEuRegionErrors(name: string, zone: ZoneConfig): string[] {
  const outside = jurisdictionsOutsideUkEu(zone.jurisdictions);
  if (outside.length === 0) return [];
  return zone.regions.flatMap((region, index) =>
    isUkEuRegion(region) ? [`zones.${name}.regions[${index}]: ${region} is a UK/EU account region; zone "${name}" may hold data in ${outside.join(', ')}`] : [],
  );
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${path ? `${path}.` : ''}${key}: unknown key`);
  }
  return [`${path || '(root)'}: ${issue.message}`];
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}
