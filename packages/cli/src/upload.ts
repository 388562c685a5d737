// `faultline sourcemaps upload`: finds each bundle's source map in a build directory, builds the
// enclosing-function index from its original sources, and writes both into the store, keyed by service,
// release and the URL the bundle is served from (and by debug ID when the bundle carries one).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { type FunctionRange, functionRanges } from './functions';
import { debugIdPath, indexPath, mapPath } from './store';

export interface UploadOptions {
  /** `service.name` of the app (what the agent sends). */
  service: string;
  /** `service.version`: the release. */
  release: string;
  /** The URL the build directory is served from: `https://shop.example/assets/`. */
  urlPrefix: string;
  /** The store directory (FAULTLINE_SOURCEMAP_STORE). */
  store: string;
  /** The build directory. */
  dir: string;
}

export interface Uploaded {
  file: string;
  url: string;
  debugId?: string;
  functions: number;
}

export interface UploadResult {
  uploaded: Uploaded[];
  skipped: { file: string; reason: string }[];
}

/** A map larger than this is not uploaded: the collector refuses maps over its max_map_bytes (32 MiB). */
export const MAX_MAP_BYTES = 32 * 1024 * 1024;
const BUNDLE = /\.[mc]?js$/;
const SOURCE_MAPPING_URL = /\/\/[#@] sourceMappingURL=(\S+)\s*$/m;
const DEBUG_ID = /\/\/# debugId=([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\s*$/m;

interface SourceMap {
  version: number;
  sources?: (string | null)[];
  sourcesContent?: (string | null)[];
  sourceRoot?: string;
  mappings?: string;
  sections?: unknown[];
  debugId?: string;
  debug_id?: string;
}

export function uploadSourcemaps(options: UploadOptions): UploadResult {
  const dir = resolve(options.dir);
  const prefix = options.urlPrefix.endsWith('/') ? options.urlPrefix : `${options.urlPrefix}/`;
  const files = walk(dir);
  const result: UploadResult = { uploaded: [], skipped: [] };
  const mapsByDebugId = new Map<string, string>();
  for (const file of files.filter((f) => f.endsWith('.map'))) {
    const id = readMap(file)?.map;
    const debugId = id && (id.debugId ?? id.debug_id);
    if (typeof debugId === 'string') mapsByDebugId.set(debugId.toLowerCase(), file);
  }
  for (const file of files.filter((f) => BUNDLE.test(f))) {
    const rel = relative(dir, file).split(sep).join('/');
    const code = readFileSync(file, 'utf8');
    const debugId = DEBUG_ID.exec(code)?.[1]?.toLowerCase();
    const found = findMap(file, code, dir, debugId, mapsByDebugId);
    if ('reason' in found) {
      result.skipped.push({ file: rel, reason: found.reason });
      continue;
    }
    const { map, bytes } = found;
    const mapDebugId = (map.debugId ?? map.debug_id)?.toLowerCase();
    if (debugId && mapDebugId && debugId !== mapDebugId) {
      result.skipped.push({ file: rel, reason: `debug ID ${debugId} differs from its map's ${mapDebugId}` });
      continue;
    }
    const stored = foldSourceRoot(map);
    const index = functionIndex(stored);
    const url = prefix + rel;
    const json = stored === map ? bytes : JSON.stringify(stored);
    const indexJson = JSON.stringify({ version: 1, functions: index.functions });
    const id = debugId ?? mapDebugId;
    for (const target of [mapPath(options.service, options.release, url), ...(id ? [debugIdPath(id)] : [])]) {
      // The index first: the collector reads the map, then the index beside it.
      writeAtomically(join(options.store, indexPath(target)), indexJson);
      writeAtomically(join(options.store, target), json);
    }
    result.uploaded.push({ file: rel, url, ...(id ? { debugId: id } : {}), functions: index.count });
  }
  return result;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') out.push(...walk(path));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

function readMap(path: string): { map: SourceMap; bytes: string } | undefined {
  try {
    if (statSync(path).size > MAX_MAP_BYTES) return undefined;
    const bytes = readFileSync(path, 'utf8');
    return { map: JSON.parse(bytes), bytes };
  } catch {
    return undefined;
  }
}

/** The bundle's map: its sourceMappingURL (a file in the build directory, or inline), `<file>.map`, or the
 * map of the same debug ID (a bundle built with hidden source maps names no map). */
function findMap(
  file: string,
  code: string,
  dir: string,
  debugId: string | undefined,
  byDebugId: Map<string, string>,
): { map: SourceMap; bytes: string } | { reason: string } {
  const ref = SOURCE_MAPPING_URL.exec(code)?.[1];
  let candidate: { map: SourceMap; bytes: string } | undefined;
  if (ref?.startsWith('data:')) {
    const comma = ref.indexOf(',');
    const body = ref.slice(comma + 1);
    const bytes = /;base64,/.test(ref.slice(0, comma + 1))
      ? Buffer.from(body, 'base64').toString('utf8')
      : decodeURIComponent(body);
    try {
      candidate = { map: JSON.parse(bytes), bytes };
    } catch {
      return { reason: 'inline source map is not JSON' };
    }
  } else if (ref && !/^[a-z][a-z0-9+.-]*:/i.test(ref)) {
    const path = resolve(dirname(file), decodeURIComponent(ref.split(/[?#]/)[0] as string));
    if (relative(dir, path).startsWith('..')) return { reason: `source map ${ref} is outside the build directory` };
    candidate = readMap(path);
    if (!candidate) return { reason: `source map ${ref} is missing, too large or not JSON` };
  } else if (existsSync(`${file}.map`)) {
    candidate = readMap(`${file}.map`);
  } else if (debugId && byDebugId.has(debugId)) {
    candidate = readMap(byDebugId.get(debugId) as string);
  }
  if (!candidate) return { reason: 'no source map' };
  const { map } = candidate;
  if (map?.version !== 3 || (typeof map.mappings !== 'string' && !Array.isArray(map.sections)))
    return { reason: 'not a version 3 source map' };
  return candidate;
}

/** The collector resolves sources against sourceRoot as go-sourcemap does; storing them joined already
 * makes the index's keys exactly the sources it sees. */
function foldSourceRoot(map: SourceMap): SourceMap {
  if (!map.sourceRoot || !Array.isArray(map.sources)) return map;
  const root = map.sourceRoot.endsWith('/') ? map.sourceRoot : `${map.sourceRoot}/`;
  const { sourceRoot: _root, ...rest } = map;
  return {
    ...rest,
    sources: map.sources.map((s) => (s === null || /^([a-z][a-z0-9+.-]*:|\/)/i.test(s) ? s : root + s)),
  };
}

function functionIndex(map: SourceMap): { functions: Record<string, FunctionRange[]>; count: number } {
  const functions: Record<string, FunctionRange[]> = {};
  let count = 0;
  (map.sources ?? []).forEach((source, i) => {
    const content = map.sourcesContent?.[i];
    if (typeof source !== 'string' || typeof content !== 'string') return;
    const ranges = functionRanges(source, content);
    if (ranges.length === 0) return;
    functions[source] = ranges;
    count += ranges.length;
  });
  return { functions, count };
}

/** A reader never sees half a file: write beside it, then rename over it. */
function writeAtomically(path: string, data: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
