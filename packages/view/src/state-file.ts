// The view's only durable data: each issue's state and which alerts went out, in `state.json` in the data
// directory. The issues themselves are rebuilt from Jaeger at start. Written whole, atomically (a temporary
// file, fsync, rename): a crash mid-write leaves the previous version. One process writes it; the page's
// tabs go through that process, and revisions refuse a change made on a stale view.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { UndeliveredAlert } from './alerts';
import { INITIAL_STATE, type IssueState, STATUSES } from './status-rules';

export interface AlertMarks {
  /** When the new-issue alert went out. */
  new?: number;
  /** The state revision whose regression was alerted. */
  regressed?: number;
  /** When the last spike alert went out. */
  spike?: number;
}

interface StateDocument {
  version: 1;
  /** When this view first watched: issues first seen before it are not "new" (no alert storm at start). */
  watchingSince: number;
  issues: Record<string, IssueState>;
  alerts: Record<string, AlertMarks>;
  /** Alerts marked as sent whose delivery had not settled when this was written. */
  outbox: UndeliveredAlert[];
}

export class StateFile {
  readonly path: string;
  private doc: StateDocument;

  private constructor(path: string, doc: StateDocument) {
    this.path = path;
    this.doc = doc;
  }

  /** Opens (or creates) the state in `dir`. A file that cannot be read is kept aside, and said so. */
  static open(dir: string, now = Date.now(), warn = (line: string) => process.stderr.write(`${line}\n`)): StateFile {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'state.json');
    let raw: string | undefined;
    try {
      raw = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    let doc: StateDocument | undefined;
    if (raw !== undefined) {
      doc = parseDocument(raw);
      if (!doc) {
        const aside = `${path}.unreadable-${now}`;
        renameSync(path, aside);
        warn(`faultline-view: ${path} is not a state file this version can read; kept as ${aside}, starting afresh`);
      }
    }
    const file = new StateFile(
      path,
      doc ?? { version: 1, watchingSince: now, issues: byId(), alerts: byId(), outbox: [] },
    );
    if (!doc) file.save();
    return file;
  }

  get watchingSince(): number {
    return this.doc.watchingSince;
  }

  get(id: string): IssueState {
    return this.doc.issues[id] ?? INITIAL_STATE;
  }

  /** Every issue with a state of its own. */
  entries(): [string, IssueState][] {
    return Object.entries(this.doc.issues);
  }

  set(id: string, state: IssueState): void {
    this.doc.issues[id] = state;
  }

  alerts(id: string): AlertMarks {
    return this.doc.alerts[id] ?? {};
  }

  markAlert(id: string, marks: AlertMarks): void {
    this.doc.alerts[id] = { ...this.doc.alerts[id], ...marks };
  }

  get outbox(): UndeliveredAlert[] {
    return this.doc.outbox;
  }

  set outbox(undelivered: UndeliveredAlert[]) {
    this.doc.outbox = undelivered;
  }

  /** Writes the whole state atomically. */
  save(): void {
    const tmp = `${this.path}.tmp-${process.pid}`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(this.doc));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}

/**
 * A map from issue id to T as a plain JSON object without a prototype: ids are fingerprints from the data,
 * and one named `constructor` or `__proto__` must be an entry like any other, not Object.prototype's.
 */
function byId<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function parseDocument(raw: string): StateDocument | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const doc = value as Partial<StateDocument>;
  if (doc.version !== 1 || typeof doc.watchingSince !== 'number') return undefined;
  const issues = byId<IssueState>();
  for (const [id, state] of Object.entries(doc.issues ?? {})) {
    if (state && STATUSES.includes(state.status) && Number.isSafeInteger(state.revision)) issues[id] = state;
  }
  const alerts = byId<AlertMarks>();
  for (const [id, marks] of Object.entries(doc.alerts ?? {}))
    if (marks && typeof marks === 'object') alerts[id] = marks;
  const outbox = (Array.isArray(doc.outbox) ? doc.outbox : []).filter(
    (a): a is UndeliveredAlert =>
      typeof a?.url === 'string' && (a.format === 'json' || a.format === 'slack') && typeof a.body === 'string',
  );
  return { version: 1, watchingSince: doc.watchingSince, issues, alerts, outbox };
}
