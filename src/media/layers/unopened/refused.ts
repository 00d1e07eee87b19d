import { bytesOf, startsWith } from '../../bytes.ts';
import { UninspectableLayer, type LayerKind, type LayerWhere } from '../layer.ts';

/**
 * A compressed or archive format that the gateway recognises by its bytes
 * but does not open (no streaming decoder for it runs on Workers, or none
 * is worth its weight): wherever it is recognised, the body is refused as
 * uninspectable, whatever it holds, a text file too. Never stored unseen.
 */
export function refusedLayer(name: string, where: LayerWhere, first: number, recognise: LayerKind['recognise'], second?: number): LayerKind {
  return {
    name,
    where,
    first: [first],
    ...(second !== undefined && { second: [second] }),
    recognise,
    open: () => {
      throw new UninspectableLayer(`${name} cannot be unpacked for inspection here`);
    },
  };
}

/** A refused layer that begins with `magic` (latin1 text or bytes), confirmed by the header fields `confirm` checks. */
export function refusedMagic(name: string, where: LayerWhere, magic: string | readonly number[], confirm: LayerKind['recognise'] = () => true): LayerKind {
  const bytes = typeof magic === 'string' ? bytesOf(magic) : Uint8Array.from(magic);
  const second = bytes[1];
  return refusedLayer(name, where, bytes[0]!, (b, at, end) => b[at + 1] === second && startsWith(b, at, end, bytes) && confirm(b, at, end), second);
}
