// The checks a redaction rule can name (redaction-rules.json `check`), as the collector's faultline
// processor runs them (collector-config/faultlineprocessor/internal/redaction/checks.go): each looks at a
// match text[start, end) in its context and returns -1 to keep it, or the offset up to which it is
// replaced (end for all of it). The shared corpus pins both implementations to the same results.
// They run only on what a rule's pattern matched, which is rare: they are written for size (the script
// tag carries them), with regular expressions over a few characters of context rather than loops.

export type Check = (text: string, start: number, end: number) => number;

/** The `n` characters before `start` (fewer at the text's start), and the `n` from `end`. */
const before = (text: string, start: number, n: number) => text.slice(Math.max(0, start - n), start);
const after = (text: string, end: number, n: number) => text.slice(end, end + n);

/** The digits of `digits` pass the Luhn checksum (cards, IMEIs). */
const luhnValid = (digits: string) => {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[digits.length - 1 - i]) * (i % 2 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  return digits.length > 0 && sum % 10 === 0;
};

const luhn: Check = (text, start, end) => (luhnValid(text.slice(start, end).replace(/[^0-9]/g, '')) ? end : -1);

/** Mod 97 of the IBAN with its first four characters moved to the end, letters as 10 to 35. */
function ibanValid(s: string): boolean {
  const compact = s.replace(/ /g, '');
  if (!/^[0-9A-Z]{15,34}$/.test(compact)) return false;
  let rem = 0;
  for (const c of compact.slice(4) + compact.slice(0, 4)) rem = (rem * (c > '9' ? 100 : 10) + parseInt(c, 36)) % 97;
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
const usSsn: Check = (text, start, end) =>
  /^(000|666|9)|^[\s\S]{4}00|^[\s\S]{7}0000/.test(text.slice(start, end)) ||
  /[0-9]-$/.test(before(text, start, 2)) ||
  /^-[0-9]/.test(after(text, end, 2))
    ? -1
    : end;

/** Not part of a longer colon- or dash-separated hex sequence (a certificate fingerprint). */
const mac: Check = (text, start, end) =>
  /[0-9a-fA-F][:-]$/.test(before(text, start, 2)) || /^[:-][0-9a-fA-F]/.test(after(text, end, 2)) ? -1 : end;

/** Not loopback or 0.0.0.0, not part of a longer dotted number, not a product version (Chrome/120.0.0.0). */
const ipv4: Check = (text, start, end) =>
  /^(127\.|0\.0\.0\.0$)/.test(text.slice(start, end)) ||
  /[0-9]\.$|[a-zA-Z]\/$/.test(before(text, start, 2)) ||
  /^\.[0-9]/.test(after(text, end, 2))
    ? -1
    : end;

/** Holds a digit and 6+ characters, not part of a longer colon-separated hex sequence. */
const ipv6: Check = (text, start, end) =>
  end - start < 6 ||
  !/[0-9]/.test(text.slice(start, end)) ||
  /[0-9a-fA-F]:$/.test(before(text, start, 2)) ||
  /^:[0-9a-fA-F]/.test(after(text, end, 2))
    ? -1
    : end;

/**
 * A domain followed by a frame's position is a stack frame (`onPress@index.android.bundle:12:3`): ":line" or
 * ":line:column" (1-7 digits each), then what ends a frame (the text's end, a line break or tab, a closing
 * bracket or quote, `,` `;` `>`, or a space not before a digit). Anything else could start what a later rule
 * or match redacts, and a second pass would then read the address differently. The expression reads at most
 * 18 characters (two parts of 8, the character after, and the one after a space): the 20 taken leave `$`
 * matching only where the text really ends.
 */
const email: Check = (text, _start, end) =>
  /^(:[0-9]{1,7}(?![0-9])){1,2}($|[\n\r\t)\]"',;>]| (?![0-9]))/.test(after(text, end, 20)) ? -1 : end;

const lastWord = (text: string, start: number, end: number) => {
  const m = text.slice(start, end);
  return m.slice(m.lastIndexOf(' ') + 1);
};

/** Random text: a digit, or an upper-case letter after the first (`Bearer authentication failed` stays). */
const tokenLike: Check = (text, start, end) => (/[0-9]|.[A-Z]/.test(lastWord(text, start, end)) ? end : -1);

/** A global of the web platform and of Node (16 on), which core's ES-only types do not declare. It throws on
 * what is not base64, such as a length of 4n + 1. */
declare const atob: (data: string) => string;

/** The base64 after `Basic ` decodes to user:password. */
const basicCredentials: Check = (text, start, end) => {
  try {
    return atob(lastWord(text, start, end).replace(/=+$/, '')).includes(':') ? end : -1;
  } catch {
    return -1;
  }
};

/** A check that finds several secrets inside one match: the [from, to) ranges to replace, in order. */
export type RangeCheck = (text: string, start: number, end: number) => [number, number][];

/**
 * In a run of digits, spaces and dashes, every 13-19 digits that start with 2-6, begin and end on a group
 * boundary and pass the Luhn check. Candidates start at each group in turn.
 */
const cards: RangeCheck = (text, start, end) => {
  // Each group of digits: where it starts and ends.
  const groups = [...text.slice(start, end).matchAll(/[0-9]+/g)].map((m) => [
    start + m.index,
    start + m.index + m[0].length,
  ]) as [number, number][];
  const out: [number, number][] = [];
  for (let i = 0; i < groups.length; ) {
    let found = -1;
    let digits = '';
    for (let j = i; j < groups.length && digits.length <= 19; j++) {
      digits += text.slice(...(groups[j] as [number, number]));
      if (digits.length >= 13 && digits.length <= 19 && /^[2-6]/.test(digits) && luhnValid(digits)) found = j;
    }
    if (found < 0) {
      i++;
      continue;
    }
    out.push([(groups[i] as [number, number])[0], (groups[found] as [number, number])[1]]);
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
