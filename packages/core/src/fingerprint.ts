// Grouping: the same error, thrown again, gets the same id; a different error does not.
// The algorithm (also in the README):
//   1. the type (`TypeError`);
//   2. the message with its dynamic parts replaced: URLs, emails, UUIDs, hex ids, quoted values, numbers;
//   3. up to FINGERPRINT_FRAMES frames of the call site, innermost first: the app's own frames (inApp),
//      or all non-native frames when there are none; each as function name + the file's last two path
//      segments, without query, hash, host, line or column (they move with every build and deploy).
// The parts, joined by newlines, are hashed to 64 bits (two 32-bit FNV-1a lanes) and printed as 16 hex digits.
import type { ExceptionRecord, StackFrame } from './types';

/** Frames of the call site that take part in the fingerprint. */
const FINGERPRINT_FRAMES = 5;
/** Characters of the normalized message that take part. */
const FINGERPRINT_MESSAGE_LENGTH = 512;

/** Placeholders for the per-occurrence parts of a message; each runs only when its precondition holds. */
const DYNAMIC_PARTS: [(text: string) => boolean, RegExp, string][] = [
  [(t) => t.includes('[REDACTED'), /\[REDACTED:card\]/g, '<n>'],
  [(t) => t.includes('[REDACTED'), /\[REDACTED(?::[\w-]+)?\]/g, '<redacted>'],
  [(t) => t.includes('://'), /\b[a-z][a-z0-9+.-]{0,30}:\/\/[^\s"<>]+/gi, '<url>'],
  [(t) => t.includes('@'), /[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}/g, '<email>'],
  [(t) => t.includes('-'), /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [(t) => t.includes('0x'), /\b0x[0-9a-f]+\b/gi, '<hex>'],
  [(t) => /[0-9a-f]{8}/i.test(t), /\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<hex>'],
  [(t) => /["'`]/.test(t), /"[^"\n]{0,200}"|'[^'\n]{0,200}'|`[^`\n]{0,200}`/g, '<str>'],
  [(t) => /\d/.test(t), /\d+(?:[.,:]\d+)*/g, '<n>'],
];

/** The message with its per-occurrence values replaced by placeholders. */
export function normalizeMessage(message: string): string {
  let text = message.slice(0, FINGERPRINT_MESSAGE_LENGTH * 2);
  for (const [when, pattern, placeholder] of DYNAMIC_PARTS) {
    if (when(text)) text = text.replace(pattern, placeholder);
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, FINGERPRINT_MESSAGE_LENGTH);
}

/** A stable grouping id for an exception record: 16 hex digits. */
export function fingerprint(record: Pick<ExceptionRecord, 'type' | 'message' | 'frames'>): string {
  return hash64(`${record.type}\n${normalizeMessage(record.message)}${callSiteText(record.frames)}`);
}

/** Frame lists are shared by every repeat of an error (see normalizeError), so their part is kept. */
const callSiteCache = new WeakMap<StackFrame[], string>();

function callSiteText(frames: StackFrame[]): string {
  let text = callSiteCache.get(frames);
  if (text === undefined) {
    text = '';
    for (const frame of callSite(frames)) text += `\n${frame.function ?? '?'} ${shortFile(frame.file)}`;
    callSiteCache.set(frames, text);
  }
  return text;
}

function callSite(frames: StackFrame[]): StackFrame[] {
  const own = frames.filter((f) => f.inApp);
  const chosen = own.length > 0 ? own : frames.filter((f) => !f.native);
  return chosen.slice(0, FINGERPRINT_FRAMES);
}

/** `https://cdn.example/app/js/main.3f9a2c1d.js?v=2` → `js/main.<hash>.js`. */
function shortFile(file: string | undefined): string {
  if (!file) return '';
  let path = file;
  const cut = path.search(/[?#]/);
  if (cut >= 0) path = path.slice(0, cut);
  if (path.includes('\\')) path = path.replace(/\\/g, '/');
  const last = path.lastIndexOf('/');
  const prev = last > 0 ? path.lastIndexOf('/', last - 1) : -1;
  let tail = path.slice(prev + 1);
  if (prev < 0 && tail.includes('://')) tail = tail.slice(tail.indexOf('://') + 3); // bare origin
  return /[0-9a-f]{8}/i.test(tail) ? tail.replace(/[0-9a-f]{8,}/gi, '<hash>') : tail;
}

/** 64-bit FNV-1a, computed as two 32-bit lanes with different offsets so it needs no BigInt. */
function hash64(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h1 >>> 15);
  }
  return hex8(h1) + hex8(h2);
}

const HEX = '0123456789abcdef';

/** Eight hex digits by table: Number#toString(16) takes V8's slow radix path, on every report. */
function hex8(n: number): string {
  let out = '';
  for (let shift = 28; shift >= 0; shift -= 4) out += HEX[(n >>> shift) & 15];
  return out;
}
