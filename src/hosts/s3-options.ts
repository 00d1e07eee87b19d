import type { S3StoreOptions } from '../adapters/s3.ts';
import type { StoreConfig } from '../policy/schema.ts';

/** A policy's S3 store as adapter options; credentials are added by the runtime (the SDK's chain on Node, secrets on Workers). */
export function s3StoreOptions(config: Extract<StoreConfig, { type: 's3' }>): S3StoreOptions {
  return {
    bucket: config.bucket,
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    sse: config.sse,
    kmsKeyId: config.kmsKeyId,
    timeoutMs: config.timeoutMs,
  };
}
