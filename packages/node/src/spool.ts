// Reports that could not be delivered wait on disk for the next process that starts with the agent.
// - Atomic: each report is written to a temporary name and renamed into place, so a process killed
//   mid-write (SIGKILL) leaves only a `.tmp` file, which readers ignore and later remove.
// - Safe with many processes: a sender claims a file by renaming it (only one rename succeeds). A file
//   claimed by a process that died (SIGKILL, exit 7) goes back in the queue at once; one claimed by a live
//   process only after STALE_MS.
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
/** A file being sent by a process: `<name>.otlp.json.claimed-<pid>-<token>`. The token tells this process
 * from an earlier one with the same pid (a container's app is often pid 1 at every start). */
const CLAIMED = '.claimed-';
const OWNER = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

export interface SpoolEntry {
  /** Which endpoint kind the body is for. */
  signal: 'traces' | 'logs';
  body: Uint8Array;
}

/** Writes one report; false when the spool is full or not writable (the caller counts it as dropped). */
export function writeSpool(dir: string, entry: SpoolEntry): boolean {
  return write(dir, entry, false) !== undefined;
}

/**
 * Writes one report that this process is about to send (a write-ahead copy), already claimed by it: if the
 * process dies before the collector acknowledged it, the next process finds it and sends it. Undefined
 * when the spool is full or not writable.
 */
export function writeClaimed(dir: string, entry: SpoolEntry): ClaimedEntry | undefined {
  return write(dir, entry, true);
}

function write(dir: string, entry: SpoolEntry, claimed: boolean): ClaimedEntry | undefined {
  try {
    if (!ensureDir(dir)) return undefined;
    const names = readdirSync(dir).filter((n) => n.endsWith(READY) || n.includes(CLAIMED));
    if (names.length >= MAX_SPOOL_FILES) return undefined;
    let bytes = 0;
    for (const n of names) bytes += safeSize(join(dir, n));
    if (bytes + entry.body.byteLength > MAX_SPOOL_BYTES) return undefined;
    const name = `${Date.now()}-${process.pid}-${Math.random().toString(36).slice(2, 10)}.${entry.signal}${READY}`;
    const tmp = join(dir, `${name}.tmp`);
    const ready = join(dir, name);
    const final = claimed ? `${ready}${CLAIMED}${OWNER}` : ready;
    writeFileSync(tmp, entry.body, { mode: 0o600 });
    renameSync(tmp, final);
    return claimedEntry(entry, ready, final);
  } catch {
    return undefined;
  }
}

export interface ClaimedEntry extends SpoolEntry {
  /** Deletes the file: the report was delivered (or refused for good). */
  done(): void;
  /** Puts the file back for a later sender: delivery failed. */
  release(): void;
}

/**
 * Claims the oldest ready report for this process (undefined when there is none), tidying up on the way
 * what processes that died left behind: half-written files, and files they had claimed.
 */
export function claimNext(dir: string): ClaimedEntry | undefined {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return undefined;
  }
  const now = Date.now();
  for (const name of names) {
    const path = join(dir, name);
    if (name.endsWith('.tmp')) {
      if (now - safeMtime(path) > STALE_MS) tryUnlink(path);
      continue;
    }
    const claim = name.indexOf(CLAIMED);
    if (claim !== -1) {
      // Claimed by a process that is gone (or long ago): back in the queue, for this process to take.
      const owner = name.slice(claim + CLAIMED.length);
      if (owner === OWNER) continue;
      const pid = Number(owner.split('-')[0]);
      if (pid !== process.pid && isAlive(pid) && now - safeMtime(path) <= STALE_MS) continue;
      if (!tryRename(path, join(dir, name.slice(0, claim)))) continue;
    } else if (!name.endsWith(READY)) continue;
    const ready = claim === -1 ? path : join(dir, name.slice(0, claim));
    const mine = `${ready}${CLAIMED}${OWNER}`;
    if (!tryRename(ready, mine)) continue; // another process got it
    let body: Uint8Array;
    try {
      body = readFileSync(mine);
    } catch {
      continue;
    }
    const signal = ready.endsWith(`.logs${READY}`) ? 'logs' : 'traces';
    return claimedEntry({ signal, body }, ready, mine);
  }
  return undefined;
}

function claimedEntry(entry: SpoolEntry, ready: string, current: string): ClaimedEntry {
  return {
    signal: entry.signal,
    body: entry.body,
    done: () => tryUnlink(current),
    release: () => {
      if (current !== ready) tryRename(current, ready);
    },
  };
}

/** True when a process with this pid exists (EPERM: it exists, under another user). */
function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
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
