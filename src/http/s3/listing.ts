import type { ObjectInfo } from '../../adapters/types.ts';
import { compareKeys } from '../../adapters/listing.ts';
import type { Call, ObjectService } from '../../service/objects.ts';

export interface ListingRequest {
  prefix: string;
  delimiter: string;
  /** List what comes after this key or common prefix ('' for the start). */
  after: string;
  maxKeys: number;
}

export interface Listing {
  contents: ObjectInfo[];
  commonPrefixes: string[];
  truncated: boolean;
  /** The last key or common prefix returned: where the next page starts. */
  last?: string;
}

const PAGE = 1000;

/**
 * S3's listing over the object service's: keys after a marker, rolled up
 * into common prefixes at a delimiter, at most `maxKeys` entries.
 */
export async function listObjects(objects: ObjectService, call: Call, dataClass: string, request: ListingRequest): Promise<Listing> {
  const listing: Listing = { contents: [], commonPrefixes: [], truncated: false };
  const { prefix, delimiter, after } = request;
  const afterIsPrefix = delimiter !== '' && after.endsWith(delimiter) && after.startsWith(prefix);
  let cursor: string | undefined;
  do {
    const page = await objects.list(call, dataClass, { prefix, limit: PAGE, ...(cursor !== undefined && { cursor }) });
    for (const item of page.items) {
      if (after !== '' && (compareKeys(item.key, after) <= 0 || (afterIsPrefix && item.key.startsWith(after)))) continue;
      const cut = delimiter === '' ? -1 : item.key.indexOf(delimiter, prefix.length);
      const commonPrefix = cut === -1 ? undefined : item.key.slice(0, cut + delimiter.length);
      if (commonPrefix !== undefined && commonPrefix === listing.commonPrefixes.at(-1)) continue;
      if (listing.contents.length + listing.commonPrefixes.length >= request.maxKeys) {
        listing.truncated = true;
        return listing;
      }
      if (commonPrefix === undefined) listing.contents.push(item);
      else listing.commonPrefixes.push(commonPrefix);
      listing.last = commonPrefix ?? item.key;
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return listing;
}
