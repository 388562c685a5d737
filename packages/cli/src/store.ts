// The source-map store's layout, the one the collector's faultline processor reads
// (collector-config/faultlineprocessor/internal/sourcemaps/store.go; both test suites check
// collector-config/faultlineprocessor/testdata/store-keys.json):
//   <root>/v1/<service>/<release>/<sha256 of the bundle URL>.map (and .functions.json)
//   <root>/v1/debug-ids/<debug id>.map (and .functions.json)
import { createHash } from 'node:crypto';
import { join } from 'node:path';

const LAYOUT_VERSION = 'v1';
/** An escaped service or release name is one path segment: file systems allow 255 bytes per name. */
export const MAX_SEGMENT_LENGTH = 200;

/**
 * A service or release name as one path segment: bytes other than [A-Za-z0-9_.-] become %XX, a leading "."
 * too (no "." or ".." segment, no hidden file). Undefined for "" and for over-long names.
 */
export function segment(name: string): string | undefined {
  if (name === '') return undefined;
  let out = '';
  const bytes = Buffer.from(name, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] as number;
    const plain =
      (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x30 && c <= 0x39) ||
      c === 0x5f ||
      c === 0x2d ||
      (c === 0x2e && i > 0);
    out += plain ? String.fromCharCode(c) : `%${c.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out.length > MAX_SEGMENT_LENGTH ? undefined : out;
}

/** The bundle URL's key: sha256 of the URL without query and fragment, in hex. */
export function fileKey(url: string): string {
  const cut = url.search(/[?#]/);
  return createHash('sha256')
    .update(cut >= 0 ? url.slice(0, cut) : url)
    .digest('hex');
}

/** Where the map of (service, release, url) goes, relative to the store's root. */
export function mapPath(service: string, release: string, url: string): string {
  const svc = segment(service);
  const rel = segment(release);
  if (svc === undefined) throw new Error(`faultline: service name ${JSON.stringify(service)} is empty or too long`);
  if (rel === undefined) throw new Error(`faultline: release ${JSON.stringify(release)} is empty or too long`);
  return join(LAYOUT_VERSION, svc, rel, `${fileKey(url)}.map`);
}

/** Where a map goes by its ECMA-426 debug ID (a UUID, lower-cased). */
export function debugIdPath(debugId: string): string {
  return join(LAYOUT_VERSION, 'debug-ids', `${debugId.toLowerCase()}.map`);
}

/** The enclosing-function index beside a map. */
export function indexPath(path: string): string {
  return `${path.slice(0, -'.map'.length)}.functions.json`;
}
