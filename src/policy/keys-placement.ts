import { AWS_REGIONS, AZURE_REGIONS, type Place } from './locations.ts';
import type { StorePlacement } from './placement.ts';
import type { EncryptionKeyConfig } from './protection-schema.ts';
import type { PolicyDocument, StoreConfig } from './schema.ts';

/**
 * Where a zone's encryption keys are, checked at load like a store's
 * location: the key-encryption key must be in the zone's jurisdictions (a
 * UK/EU zone with a key outside the UK and the EU is refused), and the key
 * store must be a store of the zone's jurisdictions that holds no zone's
 * data — not the same store, bucket, container or folder — so a backup or
 * replica of the data never carries its keys.
 */
export function encryptionPlacementErrors(document: PolicyDocument, placements: ReadonlyMap<string, StorePlacement>): string[] {
  const errors: string[] = [];
  const keys = document.encryption?.keys ?? {};
  const keyPlaces = new Map<string, Place>();
  for (const [name, key] of Object.entries(keys)) {
    const place = locateKey(key);
    if (typeof place === 'string') errors.push(`encryption.keys.${name}.location: ${place}`);
    else keyPlaces.set(name, place);
  }
  const dataStores = Object.values(document.zones).map((zone) => zone.store);
  for (const [zoneName, zone] of Object.entries(document.zones)) {
    const encryption = zone.encryption;
    if (!encryption) continue;
    const path = `zones.${zoneName}.encryption`;
    const allowed = `[${zone.jurisdictions.join(', ')}]`;
    if (!keys[encryption.key]) {
      errors.push(`${path}.key: no key named "${encryption.key}" in encryption.keys`);
    } else {
      const place = keyPlaces.get(encryption.key);
      if (place && !zone.jurisdictions.includes(place.jurisdiction)) {
        errors.push(`${path}.key: key "${encryption.key}" is in ${place.jurisdiction} (${place.where}), outside ${allowed}`);
      }
    }
    const keyStore = document.stores[encryption.keyStore];
    if (!keyStore) {
      errors.push(`${path}.keyStore: no store named "${encryption.keyStore}" in stores`);
      continue;
    }
    const sharedWith = dataStores.find((dataStore) => dataStore === encryption.keyStore || sameStorage(keyStore, document.stores[dataStore]));
    if (sharedWith !== undefined) {
      errors.push(
        `${path}.keyStore: store "${encryption.keyStore}" holds or shares storage with data store "${sharedWith}"; keys must be kept apart from the data`,
      );
    }
    const placement = placements.get(encryption.keyStore);
    if (placement && !zone.jurisdictions.includes(placement.jurisdiction)) {
      errors.push(`${path}.keyStore: store "${encryption.keyStore}" is in ${placement.jurisdiction} (${placement.where}), outside ${allowed}`);
    }
  }
  return errors;
}

/** Where a key-encryption key is, or why that cannot be told. */
function locateKey(key: EncryptionKeyConfig): Place | string {
  if (key.type === 'local' || key.location === undefined) {
    // The schema requires a jurisdiction wherever there is no location.
    return key.jurisdiction === undefined
      ? 'the key declares neither location nor jurisdiction'
      : { jurisdiction: key.jurisdiction, where: 'declared by the policy' };
  }
  return AWS_REGIONS[key.location] ?? AZURE_REGIONS[key.location] ?? `unknown cloud region "${key.location}" (an AWS or Azure region name)`;
}

/** Whether two store configurations name the same underlying storage (one would be a prefix of the other). */
function sameStorage(a: StoreConfig, b: StoreConfig | undefined): boolean {
  if (!b || a.type !== b.type) return false;
  switch (a.type) {
    case 's3':
      return b.type === 's3' && a.bucket === b.bucket && (a.endpoint ?? '') === (b.endpoint ?? '');
    case 'azure-blob':
      return b.type === 'azure-blob' && a.container === b.container && a.connectionStringEnv === b.connectionStringEnv;
    case 'r2':
      return b.type === 'r2' && a.binding === b.binding;
    case 'fs':
      return b.type === 'fs' && nested(normalisePath(a.path), normalisePath(b.path));
    case 'memory':
      return false;
  }
}

function normalisePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `${path.startsWith('/') ? '/' : ''}${parts.join('/')}/`;
}

function nested(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}
