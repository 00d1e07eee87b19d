import { AWS_REGIONS, AZURE_REGIONS, R2_JURISDICTIONS, type Place } from './locations.ts';
import type { StoreConfig } from './schema.ts';

/** Where a store physically is, and how we know it. */
export interface StorePlacement extends Place {
  /** Shown to callers in `X-Residency-Location`: the cloud region, or `local` for fs/memory stores. */
  location: string;
  /** `proven`: the backend is asked at start-up and in /readyz; `declared`: the policy's word. */
  evidence: 'proven' | 'declared';
}

export type Located = { ok: true; placement: StorePlacement } | { ok: false; path: string; message: string };

export function locateStore(config: StoreConfig): Located {
  switch (config.type) {
    case 's3': {
      const place = AWS_REGIONS[config.region];
      if (!place) return { ok: false, path: 'region', message: `unknown AWS region "${config.region}"` };
      const contradiction = config.endpoint === undefined ? null : endpointContradiction(config.endpoint, config.region);
      if (contradiction) return { ok: false, path: 'endpoint', message: contradiction };
      return located(place, config.region, config.verifyLocation ? 'proven' : 'declared');
    }
    case 'azure-blob': {
      const place = AZURE_REGIONS[config.location];
      if (!place) return { ok: false, path: 'location', message: `unknown Azure region "${config.location}"` };
      return located(place, config.location, 'declared');
    }
    case 'r2': {
      if (config.jurisdiction === undefined) {
        return { ok: false, path: 'jurisdiction', message: 'an R2 bucket without a jurisdiction has no guaranteed location' };
      }
      const place = R2_JURISDICTIONS[config.jurisdiction];
      if (!place) return { ok: false, path: 'jurisdiction', message: `unknown R2 jurisdiction "${config.jurisdiction}"` };
      return located(place, `r2:${config.jurisdiction}`, 'declared');
    }
    case 'fs':
    case 'memory':
      return located({ jurisdiction: config.jurisdiction, where: 'declared by the policy' }, 'local', 'declared');
  }
}

const AWS_HOST = /\.(amazonaws\.com|amazonaws\.com\.cn|api\.aws)$/;
/** A label that names an AWS region (`eu-west-2`, `us-gov-east-1`), alone or after `s3-` (legacy endpoints). */
const REGION_LABEL = /^(?:s3-)?([a-z]{2}(?:-[a-z]+)+-\d+)$/;
/** Endpoints of the global S3 service, which is us-east-1. */
const GLOBAL_S3 = /(^|\.)s3(-external-1)?\.amazonaws\.com$/;

/**
 * Why an S3 store's endpoint contradicts its region, or null. An AWS
 * endpoint names its region (`s3.eu-west-2.amazonaws.com`,
 * `bucket.s3.dualstack.eu-west-2.amazonaws.com`, the legacy
 * `s3-eu-west-2.amazonaws.com`; plain `s3.amazonaws.com` is us-east-1), and
 * it must be the store's: `check` cannot prove a UK store that is sent to
 * Virginia. Other endpoints (S3-compatible servers) are asked where they are
 * at start-up (`verifyLocation`).
 */
function endpointContradiction(endpoint: string, region: string): string | null {
  const host = new URL(endpoint).hostname.toLowerCase();
  if (!AWS_HOST.test(host)) return null;
  // from the right: a bucket name on the left may look like a region
  const named = host
    .split('.')
    .reverse()
    .map((label) => REGION_LABEL.exec(label)?.[1])
    .find((label) => label !== undefined);
  const endpointRegion = named ?? (GLOBAL_S3.test(host) ? 'us-east-1' : undefined);
  if (endpointRegion === undefined) return `the AWS endpoint ${host} names no region, so the store's region "${region}" cannot be checked against it`;
  return endpointRegion === region ? null : `the endpoint ${host} is in AWS region "${endpointRegion}", not the store's region "${region}"`;
}

function located(place: Place, location: string, evidence: StorePlacement['evidence']): Located {
  return { ok: true, placement: { ...place, location, evidence } };
}

/**
 * Compares where a backend says it is with where the policy placed it.
 * Returns why they differ, or null when the report proves the placement.
 */
export function contradictsPlacement(placement: StorePlacement, reportedRegion: string): string | null {
  if (reportedRegion === placement.location) return null;
  return `the backend reports region "${reportedRegion}" but the policy places it in "${placement.location}"`;
}
