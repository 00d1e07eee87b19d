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
