/**
 * Upper-cases ASCII letters only. `String.prototype.toUpperCase` maps
 * non-ASCII letters onto ASCII ones (the dotless "ı" becomes "I"), which
 * would let a crafted claim match a region it does not name.
 */
export function asciiUpper(value: string): string {
  return value.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 32));
}
