import { classPrefix } from './keys.ts';
import type { CompiledPolicy } from './load.ts';

/**
 * The cloud's own lifecycle rules equivalent to the policy's retention, so a
 * store expires data even if the sweep never runs. They know nothing of the
 * gateway's legal holds: `extraDays` pushes them past the sweep's schedule so
 * they act only as a backstop.
 */
export interface StoreLifecycle {
  store: string;
  type: 's3' | 'azure-blob';
  /** S3: PutBucketLifecycleConfiguration body. Azure: management policy (Microsoft.Storage/storageAccounts/managementPolicies) `policy`. */
  configuration: unknown;
}

export function lifecycleRules(policy: CompiledPolicy, extraDays = 0): StoreLifecycle[] {
  const classes = [...policy.dataClasses].filter(([, config]) => config.persist && config.retentionDays !== undefined);
  const stores = new Map([...policy.zones.values()].map((zone) => [zone.storeName, zone.store]));
  const result: StoreLifecycle[] = [];
  for (const [name, store] of stores) {
    if (store.type === 's3') {
      result.push({
        store: name,
        type: 's3',
        configuration: {
          Rules: [
            ...classes.map(([dataClass, config]) => ({
              ID: `residency-expire-${dataClass}`,
              Status: 'Enabled',
              Filter: { Prefix: classPrefix(dataClass) },
              Expiration: { Days: config.retentionDays! + extraDays },
            })),
            { ID: 'residency-abort-incomplete-uploads', Status: 'Enabled', Filter: { Prefix: '' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
          ],
        },
      });
    } else if (store.type === 'azure-blob') {
      result.push({
        store: name,
        type: 'azure-blob',
        configuration: {
          rules: classes.map(([dataClass, config]) => ({
            enabled: true,
            name: `residency-expire-${dataClass}`,
            type: 'Lifecycle',
            definition: {
              filters: { blobTypes: ['blockBlob'], prefixMatch: [`${store.container}/${classPrefix(dataClass)}`] },
              actions: { baseBlob: { delete: { daysAfterCreationGreaterThan: config.retentionDays! + extraDays } } },
            },
          })),
        },
      });
    }
  }
  return result;
}
