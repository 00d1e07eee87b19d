/**
 * Bench only, never in production: `--import` this into a gateway process to
 * replace the media inspector of the object routes with a pass-through, the
 * "inspection off" baseline of the inspection-cost benchmark. A module
 * resolution hook sends routes/objects.ts's import of media/inspect.ts here.
 */
import { register } from 'node:module';

const HOOKS = `
let inspector, replacement;
export function initialize(data) {
  ({ inspector, replacement } = data);
}
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  const fromObjectRoutes = context.parentURL?.endsWith('/src/http/routes/objects.ts');
  return fromObjectRoutes && resolved.url === inspector ? { ...resolved, url: replacement } : resolved;
}
`;

register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, {
  data: {
    inspector: new URL('../../src/media/inspect.ts', import.meta.url).href,
    replacement: new URL('./pass-through-inspection.ts', import.meta.url).href,
  },
});
