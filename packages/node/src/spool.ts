// Reports that could not be delivered wait on disk for the next process that starts with the agent.
// - Atomic: each report is written to a temporary name and renamed into place, so a process killed
//   mid-write (SIGKILL) leaves only a `.tmp` file, which readers ignore and later remove.
// - Safe with many processes: a sender claims a file by renaming it (only one rename succeeds).
// - Bounded: at most MAX_SPOOL_FILES files and MAX_SPOOL_BYTES bytes; what does not fit is counted.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const MAX_SPOOL_FILES = 200;
export const MAX_SPOOL_BYTES = 8 * 1024 * 1024;
/** A claimed or half-written file older than this belongs to a process that died: reclaim or remove it. */
const STALE_MS = 5 * 60 * 1000;
const READY = '.otlp.json';

export interface SpoolEntry {
  /** Which endpoint kind the body is for. */
  signal: 'traces' | 'logs';
  body: Uint8Array;
}

/** Writes one report; false when the spool is full or not writable (the caller counts it as dropped). */
export function writeSpool(dir: string, entry: SpoolEntry): boolean {
  try {
    if (!ensureDir(dir)) return false;
    const names = readdirSync(dir).filter((n) => n.endsWith(READY));
    if (names.length >= MAX_SPOOL_FILES) return false;
    let bytes = 0;
    for (const n of names) bytes += safeSize(join(dir, n));
    if (bytes + entry.body.byteLength > MAX_SPOOL_BYTES) return false;
    const name = `${Date.now()}-${process.pid}-${Math.random().toString(36).slice(2, 10)}.${entry.signal}`;
    const tmp = join(dir, `${name}.tmp`);
    writeFileSync(tmp, entry.body, { mode: 0o600 });
    renameSync(tmp, join(dir, `${name}${READY}`));
    return true;
  } catch {
    return false;
  }
}

export interface ClaimedEntry extends SpoolEntry {
  /** Deletes the file: the report was delivered. */
  done(): void;
  /** Puts the file back for a later process: delivery failed. */
  release(): void;
}

/** Claims every ready report (oldest first) for this process, and tidies up what dead processes left. */
export function claimSpool(dir: string): ClaimedEntry[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const claimed: ClaimedEntry[] = [];
  const now = Date.now();
  for (const name of names) {
    const path = join(dir, name);
    if (name.endsWith('.tmp') || name.includes('.claimed-')) {
      if (now - safeMtime(path) > STALE_MS) {
        if (name.includes('.claimed-')) tryRename(path, join(dir, name.replace(/\.claimed-\d+$/, '')));
        else tryUnlink(path);
      }
      continue;
    }
    if (!name.endsWith(READY)) continue;
    const mine = `${path}.claimed-${process.pid}`;
    if (!tryRename(path, mine)) continue; // another process got it
    let body: Uint8Array;
    try {
      body = readFileSync(mine);
    } catch {
      continue;
    }
    const signal = name.endsWith(`.logs${READY}`) ? 'logs' : 'traces';
    claimed.push({ signal, body, done: () => tryUnlink(mine), release: () => tryRename(mine, path) });
  }
  return claimed;
}

/**
 * Creates `dir` and its missing parents one by one, at most 32 levels. Not `mkdirSync(..., { recursive })`:
 * on some file systems (measured: a path under /proc) Node's recursive mkdir never returns.
 */
function ensureDir(dir: string): boolean {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    if (missing.length >= 32 || dirname(d) === d) return false;
    missing.unshift(d);
  }
  try {
    for (const d of missing) mkdirSync(d, { mode: 0o700 });
    return true;
  } catch {
    return false;
  }
}

function tryRename(from: string, to: string): boolean {
  try {
    renameSync(from, to);
    return true;
  } catch {
    return false;
  }
}

function tryUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function safeSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function safeMtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Date.now();
  }
}
