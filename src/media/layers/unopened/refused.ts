import { UninspectableLayer, type LayerKind, type LayerWhere } from '../layer.ts';

/**
 * A compressed or archive format that the gateway recognises by its bytes
 * but does not open (no streaming decoder for it runs on Workers, or none
 * is worth its weight): wherever it is recognised, the body is refused as
 * uninspectable, whatever it holds, a text file too. Never stored unseen.
 */
export function refusedLayer(name: string, where: LayerWhere, first: number, recognise: LayerKind['recognise']): LayerKind {
  return {
    name,
    where,
    first: [first],
    recognise,
    open: () => {
      throw new UninspectableLayer(`${name} cannot be unpacked for inspection here`);
    },
  };
}
