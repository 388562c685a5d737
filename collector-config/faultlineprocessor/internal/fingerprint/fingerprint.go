// Package fingerprint is @faultline/core's grouping algorithm (packages/core/src/fingerprint.ts), ported
// exactly: the same input gives the same 16 hex digits in the agent and in the collector. The shared
// vectors (testdata/fingerprint-vectors.json) are run by both test suites.
//
//  1. the type (`TypeError`);
//  2. the message with its dynamic parts replaced: URLs, emails, UUIDs, hex ids, quoted values, numbers;
//  3. up to Frames frames of the call site, innermost first: the in-app ones, or all non-native frames when
//     there are none; each as function name + the file's last two path segments, without query, hash, host,
//     line or column.
//
// The parts, joined by newlines, are hashed to 64 bits (two 32-bit FNV-1a lanes over UTF-16 code units).
package fingerprint // import "faultline.local/faultlineprocessor/internal/fingerprint"

import (
	"regexp"
	"strings"

	"faultline.local/faultlineprocessor/internal/stack"
)

const (
	// Frames of the call site that take part.
	Frames = 5
	// MessageLength is how many UTF-16 code units of the normalized message take part.
	MessageLength = 512
)

// JavaScript's regular expressions without the u flag: \w, \d and \b are ASCII, `i` folds ASCII only
// (written out as [a-zA-Z] here: Go's (?i) also folds U+212A KELVIN SIGN to k), \s is JavaScript's whitespace.
const jsSpace = `\t\n\v\f\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}`

type dynamicPart struct {
	when        func(string) bool
	pattern     *regexp.Regexp
	placeholder string
}

var (
	hex8       = regexp.MustCompile(`[0-9a-fA-F]{8}`)
	quoteChars = regexp.MustCompile("[\"'`]")
	digit      = regexp.MustCompile(`[0-9]`)
	spaceRun   = regexp.MustCompile(`[` + jsSpace + `]+`)
)

var dynamicParts = []dynamicPart{
	{has("[REDACTED"), regexp.MustCompile(`\[REDACTED:card\]`), "<n>"},
	{has("[REDACTED"), regexp.MustCompile(`\[REDACTED(?::[\w-]+)?\]`), "<redacted>"},
	{has("://"), regexp.MustCompile(`\b[a-zA-Z][a-zA-Z0-9+.-]{0,30}://[^` + jsSpace + `"<>]+`), "<url>"},
	{has("@"), regexp.MustCompile(`[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}`), "<email>"},
	{has("-"), regexp.MustCompile(`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`), "<uuid>"},
	{has("0x"), regexp.MustCompile(`\b0[xX][0-9a-fA-F]+\b`), "<hex>"},
	// `\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b` needs lookahead (RE2 has none): hexIDs below.
	{hex8.MatchString, nil, "<hex>"},
	{quoteChars.MatchString, regexp.MustCompile("\"[^\"\\n]{0,200}\"|'[^'\\n]{0,200}'|`[^`\\n]{0,200}`"), "<str>"},
	{digit.MatchString, regexp.MustCompile(`[0-9]+(?:[.,:][0-9]+)*`), "<n>"},
}

func has(s string) func(string) bool { return func(t string) bool { return strings.Contains(t, s) } }

// NormalizeMessage is core's normalizeMessage: the message with its per-occurrence values replaced.
func NormalizeMessage(message string) string {
	text := stack.SliceUTF16(message, MessageLength*2)
	for _, d := range dynamicParts {
		if !d.when(text) {
			continue
		}
		if d.pattern == nil {
			text = hexIDs(text, d.placeholder)
		} else {
			text = d.pattern.ReplaceAllLiteralString(text, d.placeholder)
		}
	}
	text = stack.TrimJS(spaceRun.ReplaceAllLiteralString(text, " "))
	return stack.SliceUTF16(text, MessageLength)
}

// hexIDs replaces what `\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b`/gi matches: both word
// boundaries make it a whole ASCII word, all hex, of 8 or more characters, with a digit and a letter.
func hexIDs(text, placeholder string) string {
	return replaceRuns(text, isWord, func(run string) bool {
		digits, letters := false, false
		for i := 0; i < len(run); i++ {
			switch c := run[i]; {
			case c >= '0' && c <= '9':
				digits = true
			case isHex(c):
				letters = true
			default:
				return false
			}
		}
		return digits && letters && len(run) >= 8
	}, placeholder)
}

// replaceRuns replaces each maximal run of bytes for which in holds, when accept(run), by placeholder.
func replaceRuns(text string, in func(byte) bool, accept func(string) bool, placeholder string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(text); {
		if !in(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && in(text[j]) {
			j++
		}
		if accept(text[i:j]) {
			b.WriteString(text[last:i])
			b.WriteString(placeholder)
			last = j
		}
		i = j
	}
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

func isWord(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// Of is core's fingerprint(record): a stable grouping id, 16 hex digits.
func Of(typ, message string, frames []stack.Frame) string {
	return FromCallSite(typ, message, CallSite(frames))
}

// FromCallSite is Of with the frames' part computed already (CallSite): frames repeat with every
// occurrence of an error, and core keeps their part too (callSiteCache).
func FromCallSite(typ, message, callSite string) string {
	return hash64(typ + "\n" + messages.normalized(message) + callSite)
}

// CallSite is the frames' part of the hashed text: "\nfunction file" for each call-site frame.
func CallSite(frames []stack.Frame) string {
	var b strings.Builder
	for _, f := range callSite(frames) {
		b.WriteByte('\n')
		if f.HasFunc {
			b.WriteString(f.Function)
		} else {
			b.WriteByte('?')
		}
		b.WriteByte(' ')
		b.WriteString(shortFile(f))
	}
	return b.String()
}

func callSite(frames []stack.Frame) []stack.Frame {
	chosen := make([]stack.Frame, 0, Frames)
	for _, f := range frames {
		if f.InApp && len(chosen) < Frames {
			chosen = append(chosen, f)
		}
	}
	if len(chosen) > 0 {
		return chosen
	}
	for _, f := range frames {
		if !f.Native && len(chosen) < Frames {
			chosen = append(chosen, f)
		}
	}
	return chosen
}

// shortFile: `https://cdn.example/app/js/main.3f9a2c1d.js?v=2` → `js/main.<hash>.js`.
func shortFile(f stack.Frame) string {
	if !f.HasFile || f.File == "" {
		return ""
	}
	path := f.File
	if cut := strings.IndexAny(path, "?#"); cut >= 0 {
		path = path[:cut]
	}
	path = strings.ReplaceAll(path, `\`, "/")
	last := strings.LastIndexByte(path, '/')
	prev := -1
	if last > 0 {
		prev = strings.LastIndexByte(path[:last], '/')
	}
	tail := path[prev+1:]
	if prev < 0 && strings.Contains(tail, "://") {
		tail = tail[strings.Index(tail, "://")+3:]
	}
	return withoutHashes(tail)
}

// withoutHashes is `/[0-9a-f]{8}/i.test(t) ? t.replace(/[0-9a-f]{8,}/gi, '<hash>') : t` without regular
// expressions (it runs for every frame of every exception).
func withoutHashes(t string) string {
	return replaceRuns(t, isHex, func(run string) bool { return len(run) >= 8 }, "<hash>")
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// hash64 is core's two-lane FNV-1a over UTF-16 code units, printed as 16 hex digits.
func hash64(text string) string {
	h1 := uint32(0x811c9dc5)
	h2 := uint32(0xcbf29ce4)
	stack.Units(text, func(c uint16) {
		h1 = (h1 ^ uint32(c)) * 0x01000193
		h2 = ((h2 ^ uint32(c)) * 0x01000193) ^ (h1 >> 15)
	})
	const digits = "0123456789abcdef"
	var out [16]byte
	for i := 0; i < 8; i++ {
		out[i] = digits[(h1>>(28-4*i))&15]
		out[8+i] = digits[(h2>>(28-4*i))&15]
	}
	return string(out[:])
}
