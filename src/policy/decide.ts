import { asciiUpper, type CompiledPolicy, type CompiledZone } from './load.ts';
import type { Principal } from './principal.ts';
import { type Checked, Refusal } from './refusal.ts';
import type { DataClassConfig } from './schema.ts';
import { isUkEuRegion } from './uk-eu.ts';

export type Action = 'write' | 'read' | 'delete' | 'list';

export interface RequestFacts {
  action: Action;
  dataClass: string;
  /** Milliseconds since the epoch; retention is counted from here. */
  now: number;
}

/** Whether the principal is a UK/EU account, from the gateway's own table (./uk-eu.ts); explain shows it. */
interface Residency {
  ukEuAccount: boolean;
}

export interface Allowed extends Residency {
  allowed: true;
  zone: CompiledZone;
  dataClass: string;
  classConfig: DataClassConfig;
  /** When retention ends for an object written now (writes of classes with `retentionDays` only). */
  expiresAt?: string;
}

export interface Refused extends Residency {
  allowed: false;
  refusal: Refusal;
  /** The zone, when the refusal came after the zone was known (for audit). */
  zone?: CompiledZone;
}

export type Decision = Allowed | Refused;

const DAY_MS = 86_400_000;

/**
 * The one decision the HTTP layer asks for: may this principal do this to
 * this data class, and which zone's store holds it? The declared content type
 * and the body are judged by the inspector (./inspect.ts), keys by ./keys.ts.
 */
export function decide(policy: CompiledPolicy, principal: Principal, facts: RequestFacts): Decision {
  const ukEuAccount = isUkEuRegion(principal.region);
  const found = resolveZone(policy, principal.region);
  if (!found.ok) return { allowed: false, ukEuAccount, refusal: found.refusal };
  const zone = found.value;
  const classConfig = policy.dataClasses.get(facts.dataClass);
  if (!classConfig) {
    return { allowed: false, ukEuAccount, zone, refusal: new Refusal('data_class_unknown', `data class "${facts.dataClass}" is not in the policy`) };
  }
  if (!classConfig.persist) {
    return {
      allowed: false,
      ukEuAccount,
      zone,
      refusal: new Refusal('data_class_not_persisted', `data class "${facts.dataClass}" is never stored`),
    };
  }
  const decision: Allowed = { allowed: true, ukEuAccount, zone, dataClass: facts.dataClass, classConfig };
  if (facts.action === 'write' && classConfig.retentionDays !== undefined) {
    decision.expiresAt = new Date(facts.now + classConfig.retentionDays * DAY_MS).toISOString();
  }
  return decision;
}

/** Region claim → zone, case-insensitively (ASCII only). There is no default zone. */
export function resolveZone(policy: CompiledPolicy, region: string): Checked<CompiledZone> {
  const zone = policy.zoneByRegion.get(asciiUpper(region));
  if (zone) return { ok: true, value: zone };
  return { ok: false, refusal: new Refusal('region_unknown', `region "${printable(region)}" is in no zone of the policy`) };
}

function printable(value: string): string {
  return value.length > 64 ? `${value.slice(0, 64)}…` : value;
}
