// The checks a redaction rule can name (redaction-rules.json `check`), as the collector's faultline
// processor runs them (collector-config/faultlineprocessor/internal/redaction/checks.go): each looks at a
// match text[start, end) in its context and returns -1 to keep it, or the offset up to which it is
// replaced (end for all of it). The shared corpus pins both implementations to the same results.

export type Check = (text: string, start: number, end: number) => number;

const isDigit = (c: string) => c >= '0' && c <= '9';
const isHex = (c: string) => isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
const isLetter = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const at = (text: string, i: number) => (i < 0 ? '' : text.charAt(i));

/** The digits of the match pass the Luhn checksum (cards, IMEIs). */
const luhn: Check = (text, start, end) => {
  let sum = 0;
  let n = 0;
  for (let i = end - 1; i >= start; i--) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) continue;
    let d = c;
    if (n % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    n++;
  }
  return n > 0 && sum % 10 === 0 ? end : -1;
};

function ibanValid(s: string): boolean {
  const compact = s.replace(/ /g, '');
  if (compact.length < 15 || compact.length > 34) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let rem = 0;
  for (const c of rearranged) {
    if (isDigit(c)) rem = (rem * 10 + Number(c)) % 97;
    else if (c >= 'A' && c <= 'Z') rem = (rem * 100 + c.charCodeAt(0) - 55) % 97;
    else return false;
  }
  return rem === 1;
}

/** Mod 97; when the whole match fails, trailing space-separated groups are dropped one by one. */
const iban: Check = (text, start, end) => {
  for (let e = end; e > start; ) {
    if (ibanValid(text.slice(start, e))) return e;
    const sp = text.slice(start, e).lastIndexOf(' ');
    if (sp < 0) break;
    e = start + sp;
  }
  return -1;
};

/** Not in the never-issued ranges, not part of a longer dash-separated number. */
const usSsn: Check = (text, start, end) => {
  const m = text.slice(start, end);
  const area = m.slice(0, 3);
  if (area === '000' || area === '666' || area[0] === '9' || m.slice(4, 6) === '00' || m.slice(7, 11) === '0000')
    return -1;
  if (
    (at(text, start - 1) === '-' && isDigit(at(text, start - 2))) ||
    (text[end] === '-' && isDigit(at(text, end + 1)))
  )
    return -1;
  return end;
};

/** Not part of a longer colon- or dash-separated hex sequence (a certificate fingerprint). */
const mac: Check = (text, start, end) => {
  const sep = (c: string) => c === ':' || c === '-';
  if ((sep(at(text, start - 1)) && isHex(at(text, start - 2))) || (sep(at(text, end)) && isHex(at(text, end + 1))))
    return -1;
  return end;
};

/** Not loopback or 0.0.0.0, not part of a longer dotted number, not a product version (Chrome/120.0.0.0). */
const ipv4: Check = (text, start, end) => {
  const m = text.slice(start, end);
  if (m.startsWith('127.') || m === '0.0.0.0') return -1;
  const before = at(text, start - 1);
  const after = at(text, end);
  if ((before === '.' && isDigit(at(text, start - 2))) || (after === '.' && isDigit(at(text, end + 1)))) return -1;
  if (before === '/' && isLetter(at(text, start - 2))) return -1;
  return end;
};

/** Holds a digit and 6+ characters, not part of a longer colon-separated hex sequence. */
const ipv6: Check = (text, start, end) => {
  const m = text.slice(start, end);
  if (m.length < 6 || !/[0-9]/.test(m)) return -1;
  if (
    (at(text, start - 1) === ':' && isHex(at(text, start - 2))) ||
    (at(text, end) === ':' && isHex(at(text, end + 1)))
  )
    return -1;
  return end;
};

/**
 * Where ":line" or ":line:column" (1-7 digits each) at `i` ends, if what follows ends a frame (the text's
 * end, a space not before a digit, a line break, a closing bracket or quote); else -1. Anything else could
 * start what a later rule or match redacts, and a second pass would then read the address differently.
 */
const framePositionEnd = (text: string, i: number): number => {
  if (at(text, i) !== ':') return -1;
  for (let part = 0; part < 2 && at(text, i) === ':'; part++) {
    let j = i + 1;
    while (j < text.length && j - i <= 7 && isDigit(at(text, j))) j++;
    if (j === i + 1 || isDigit(at(text, j))) return -1;
    i = j;
  }
  const c = at(text, i);
  if (c === '' || '\n\r\t)]"\',;>'.includes(c)) return i;
  return c === ' ' && !isDigit(at(text, i + 1)) ? i : -1;
};

/** A domain followed by a frame's position is a stack frame (`onPress@index.android.bundle:12:3`). */
const email: Check = (text, _start, end) => (framePositionEnd(text, end) >= 0 ? -1 : end);

const lastWord = (text: string, start: number, end: number) => {
  const m = text.slice(start, end);
  return m.slice(m.lastIndexOf(' ') + 1);
};

/** Random text: a digit, or an upper-case letter after the first (`Bearer authentication failed` stays). */
const tokenLike: Check = (text, start, end) => (/[0-9]|.[A-Z]/.test(lastWord(text, start, end)) ? end : -1);

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The base64 after `Basic ` decodes to user:password (decoded here: not every runtime has atob). */
const basicCredentials: Check = (text, start, end) => {
  const tok = lastWord(text, start, end).replace(/=+$/, '');
  if (tok.length % 4 === 1) return -1;
  let bits = 0;
  let value = 0;
  for (const c of tok) {
    const v = BASE64.indexOf(c);
    if (v < 0) return -1;
    value = ((value << 6) | v) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (((value >> bits) & 0xff) === 58 /* : */) return end;
    }
  }
  return -1;
};

/** A check that finds several secrets inside one match: the [from, to) ranges to replace, in order. */
export type RangeCheck = (text: string, start: number, end: number) => [number, number][];

/**
 * In a run of digits, spaces and dashes, every 13-19 digits that start with 2-6, begin and end on a group
 * boundary and pass the Luhn check. Candidates start at each group in turn.
 */
const cards: RangeCheck = (text, start, end) => {
  const starts: number[] = [];
  for (let i = start; i < end; i++)
    if (isDigit(text.charAt(i)) && (i === start || !isDigit(text.charAt(i - 1)))) starts.push(i);
  const groupEnd = (g: number) => (g + 1 < starts.length ? (starts[g + 1] as number) - 1 : end);
  const out: [number, number][] = [];
  for (let i = 0; i < starts.length; ) {
    let found = -1;
    let digits = 0;
    const first = text.charAt(starts[i] as number);
    for (let j = i; j < starts.length && digits <= 19; j++) {
      digits += groupEnd(j) - (starts[j] as number);
      if (
        digits >= 13 &&
        digits <= 19 &&
        first >= '2' &&
        first <= '6' &&
        luhn(text, starts[i] as number, groupEnd(j)) >= 0
      )
        found = j;
    }
    if (found < 0) {
      i++;
      continue;
    }
    out.push([starts[i] as number, groupEnd(found)]);
    i = found + 1;
  }
  return out;
};

export const RANGE_CHECKS: Record<string, RangeCheck> = { card: cards };

export const CHECKS: Record<string, Check> = {
  '': (_text, _start, end) => end,
  luhn,
  iban,
  'us-ssn': usSsn,
  mac,
  ipv4,
  ipv6,
  email,
  'token-like': tokenLike,
  'basic-credentials': basicCredentials,
};
