import type { Hono } from 'hono';
import { decide } from '../../policy/decide.ts';
import { createInspection, inspectSample } from '../../media/inspect.ts';
import { Refusal } from '../../policy/refusal.ts';
import { readSmallBody } from '../../service/body.ts';
import type { GatewayDeps, GatewayEnv } from '../context.ts';
import { explainRequest, MAX_EXPLAIN_SAMPLE_CHARS } from '../schemas.ts';
import { toRefusal } from '../../service/to-refusal.ts';
import { maskNames } from '../../masking/for-class.ts';

/** The JSON around a sample of the largest size the schema allows. */
const MAX_EXPLAIN_BYTES = MAX_EXPLAIN_SAMPLE_CHARS + 4096;

/** Where a write would go, or why it would be refused. Stores nothing. */
export function explainRoutes(app: Hono<GatewayEnv>, deps: GatewayDeps): void {
  app.post('/v1/explain', async (c) => {
    const trail = c.get('trail');
    trail.action = 'explain';
    const body = await readSmallBody(c.req.raw.body, MAX_EXPLAIN_BYTES);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch {
      throw new Refusal('bad_request', 'the body must be JSON: {"dataClass", "contentType", "sample"?}');
    }
    const parsed = explainRequest.safeParse(json);
    if (!parsed.success) throw new Refusal('bad_request', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const request = parsed.data;
    trail.dataClass = request.dataClass;

    const decision = decide(deps.policy, c.get('principal'), { action: 'write', dataClass: request.dataClass, now: deps.now() });
    const zone = decision.zone;
    const placement = zone && {
      zone: zone.name,
      store: zone.storeName,
      location: zone.placement.location,
      jurisdiction: zone.placement.jurisdiction,
      evidence: zone.placement.evidence,
    };
    let refusal = decision.allowed ? undefined : decision.refusal;
    let media = null;
    if (decision.allowed) {
      const options = {
        contentType: request.contentType,
        contentEncoding: request.contentEncoding,
        embeddedMedia: decision.classConfig.embeddedMedia,
        decoders: deps.runtime.decoders,
        budgets: deps.objects.inspectionBudgets,
      };
      try {
        createInspection(options);
        if (request.sample !== undefined) {
          media = (
            await inspectSample(
              Uint8Array.from(atob(request.sample), (ch) => ch.charCodeAt(0)),
              options,
            )
          ).media;
          if (media && decision.classConfig.embeddedMedia === 'refuse') {
            refusal = new Refusal('media_refused', `${media.format} ${media.kind} ${media.where}`);
          }
        }
      } catch (error) {
        refusal = toRefusal(error);
      }
    }
    // The answer is the verdict: an explain that answers "refused" is audited as refused.
    Object.assign(trail, {
      outcome: refusal === undefined ? 'allowed' : 'refused',
      ...(refusal && { code: refusal.code }),
      ...(placement && { zone: placement.zone, store: placement.store, location: placement.location }),
    });
    return c.json({
      allowed: refusal === undefined,
      ...(refusal && { code: refusal.code, status: refusal.status, detail: refusal.detail }),
      // Whether the gateway's own table counts the token's region as a UK or EU account (whose data never leaves the UK and the EU).
      ukEuAccount: decision.ukEuAccount,
      ...(placement && { placement }),
      ...(decision.allowed && {
        expiresAt: decision.expiresAt ?? null,
        embeddedMedia: decision.classConfig.embeddedMedia,
        masks: maskNames(decision.classConfig.mask),
      }),
      ...(request.sample !== undefined && { media }),
    });
  });
}
