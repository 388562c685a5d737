package stack

import (
	"strings"
	"unicode/utf8"
)

// JavaScript's notion of whitespace (\s, String#trim): ECMA-262 WhiteSpace and LineTerminator. Go's \s and
// strings.TrimSpace differ (ASCII only, or with U+0085), and the two parsers must agree on every line.
const (
	jsSpaceClass = `\t\n\v\f\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}`
	notJSSpace   = `[^` + jsSpaceClass + `]`
	// jsDot is JavaScript's `.` without the s flag: anything but a line terminator.
	jsDot = `[^\n\r\x{2028}\x{2029}]`
)

// IsJSSpace reports whether r is whitespace to JavaScript.
func IsJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

func hasJSSpace(s string) bool { return strings.IndexFunc(s, IsJSSpace) >= 0 }

// TrimJS is String#trim.
func TrimJS(s string) string { return strings.TrimFunc(s, IsJSSpace) }

// TrimStartJS is String#trimStart.
func TrimStartJS(s string) string { return strings.TrimLeftFunc(s, IsJSSpace) }

// utf16Len is a JavaScript string's length: UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// UTF16Len is a JavaScript string's length: UTF-16 code units.
func UTF16Len(s string) int { return utf16Len(s) }

// sliceUTF16 is String#slice(0, n). A cut through a surrogate pair keeps the lone high surrogate, as
// JavaScript does, written as its three WTF-8 bytes so that Units (and so the hash) sees the same code unit.
func sliceUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		if units >= n {
			return s[:i]
		}
		if r >= 0x10000 {
			if units+1 == n {
				hi := 0xd800 + ((r - 0x10000) >> 10)
				return s[:i] + string([]byte{0xed, byte(0x80 | (hi>>6)&0x3f), byte(0x80 | hi&0x3f)})
			}
			units += 2
		} else {
			units++
		}
	}
	return s
}

// SliceUTF16 is String#slice(0, n) (see sliceUTF16).
func SliceUTF16(s string, n int) string { return sliceUTF16(s, n) }

// Units calls fn with each UTF-16 code unit of s, as String#charCodeAt sees them. Invalid UTF-8 counts as
// U+FFFD per byte (what a JSON or protobuf decoder would have made of it), except a WTF-8 surrogate.
func Units(s string, fn func(uint16)) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			fn(uint16(c))
			i++
			continue
		}
		if c == 0xed && i+2 < len(s) && s[i+1] >= 0xa0 && s[i+1] <= 0xbf && s[i+2]&0xc0 == 0x80 {
			fn(uint16(0xd000 | uint16(s[i+1]&0x3f)<<6 | uint16(s[i+2]&0x3f)))
			i += 3
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r >= 0x10000 {
			r -= 0x10000
			fn(uint16(0xd800 + (r >> 10)))
			fn(uint16(0xdc00 + (r & 0x3ff)))
		} else {
			fn(uint16(r))
		}
		i += size
	}
}
