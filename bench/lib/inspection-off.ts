/**
 * Bench only, never in production: `--import` this into a gateway process to
 * replace the media inspector with a pass-through, the "inspection off"
 * baseline of the inspection-cost benchmark. A module resolution hook sends
 * every import of media/inspect.ts here, except the pass-through's own (it
 * re-exports the rest of the module). bench/lib/inspection.ts checks that
 * the swap took effect.
 */
import { register } from 'node:module';

const HOOKS = `
let inspector, replacement;
export function initialize(data) {
  ({ inspector, replacement } = data);
}
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  return resolved.url === inspector && context.parentURL !== replacement ? { ...resolved, url: replacement } : resolved;
}
`;

register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, {
  data: {
    inspector: new URL('../../src/media/inspect.ts', import.meta.url).href,
    replacement: new URL('./pass-through-inspection.ts', import.meta.url).href,
  },
});
