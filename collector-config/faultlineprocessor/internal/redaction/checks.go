package redaction

import (
	"encoding/base64"
	"strings"
)

// checkFunc looks at a match text[start:end] in its context. It returns -1 to keep the match as it is,
// or the offset up to which the match is replaced (end for all of it; less when only a prefix is the
// secret, as with an IBAN followed by an upper-case word). packages/core/src/scrub-checks.ts has the
// same checks for core's scrubber; the shared corpus pins both.
type checkFunc func(text string, start, end int) int

// rangeCheck is a check that finds several secrets inside one match (cards in a run of digits): the
// [from, to) ranges to replace, in order; none keeps the match.
type rangeCheck func(text string, start, end int) [][2]int

var rangeChecks = map[string]rangeCheck{"card": checkCards}

// card: in a run of digits, spaces and dashes, every 13-19 digits that start with 2-6, begin and end on a
// group boundary and pass the Luhn check. Candidates start at each group in turn.
func checkCards(text string, start, end int) [][2]int {
	// Group starts: the run's start and each digit after a separator.
	var starts []int
	for i := start; i < end; i++ {
		if isDigit(text[i]) && (i == start || !isDigit(text[i-1])) {
			starts = append(starts, i)
		}
	}
	groupEnd := func(g int) int {
		if g+1 < len(starts) {
			return starts[g+1] - 1
		}
		return end
	}
	var out [][2]int
	for i := 0; i < len(starts); {
		found, digits := -1, 0
		for j := i; j < len(starts) && digits <= 19; j++ {
			digits += groupEnd(j) - starts[j]
			if digits >= 13 && digits <= 19 && text[starts[i]] >= '2' && text[starts[i]] <= '6' && checkLuhn(text, starts[i], groupEnd(j)) >= 0 {
				found = j
			}
		}
		if found < 0 {
			i++
			continue
		}
		out = append(out, [2]int{starts[i], groupEnd(found)})
		i = found + 1
	}
	return out
}

var checks = map[string]checkFunc{
	"":                  func(_ string, _, end int) int { return end },
	"luhn":              checkLuhn,
	"iban":              checkIBAN,
	"us-ssn":            checkUSSSN,
	"mac":               checkMAC,
	"ipv4":              checkIPv4,
	"ipv6":              checkIPv6,
	"email":             checkEmail,
	"token-like":        checkTokenLike,
	"basic-credentials": checkBasicCredentials,
}

func at(text string, i int) byte {
	if i < 0 || i >= len(text) {
		return 0
	}
	return text[i]
}

// luhn: the digits of the match pass the Luhn checksum (cards, IMEIs).
func checkLuhn(text string, start, end int) int {
	sum, n := 0, 0
	for i := end - 1; i >= start; i-- {
		c := text[i]
		if !isDigit(c) {
			continue
		}
		d := int(c - '0')
		if n%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		n++
	}
	if n > 0 && sum%10 == 0 {
		return end
	}
	return -1
}

// iban: 15 to 34 characters (spaces left out) whose mod-97 checksum is 1. When the whole match fails, its
// trailing space-separated groups are dropped one by one (an upper-case word after a grouped IBAN).
func checkIBAN(text string, start, end int) int {
	for e := end; e > start; {
		if ibanValid(text[start:e]) {
			return e
		}
		sp := strings.LastIndexByte(text[start:e], ' ')
		if sp < 0 {
			break
		}
		e = start + sp
	}
	return -1
}

func ibanValid(s string) bool {
	compact := strings.ReplaceAll(s, " ", "")
	if len(compact) < 15 || len(compact) > 34 {
		return false
	}
	rearranged := compact[4:] + compact[:4]
	rem := 0
	for i := 0; i < len(rearranged); i++ {
		c := rearranged[i]
		switch {
		case isDigit(c):
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		default:
			return false
		}
	}
	return rem == 1
}

// us-ssn: not in the never-issued ranges (area 000, 666, 900-999; group 00; serial 0000), and not part of a
// longer dash-separated number.
func checkUSSSN(text string, start, end int) int {
	m := text[start:end]
	area, group, serial := m[0:3], m[4:6], m[7:11]
	if area == "000" || area == "666" || area[0] == '9' || group == "00" || serial == "0000" {
		return -1
	}
	if (at(text, start-1) == '-' && isDigit(at(text, start-2))) || (at(text, end) == '-' && isDigit(at(text, end+1))) {
		return -1
	}
	return end
}

// mac: exactly six groups (a colon-separated certificate fingerprint has more).
func checkMAC(text string, start, end int) int {
	sep := func(c byte) bool { return c == ':' || c == '-' }
	if (sep(at(text, start-1)) && isHex(at(text, start-2))) || (sep(at(text, end)) && isHex(at(text, end+1))) {
		return -1
	}
	return end
}

// ipv4: not loopback or 0.0.0.0, not part of a longer dotted number (1.2.3.4.5), not a product version
// (Chrome/120.0.0.0).
func checkIPv4(text string, start, end int) int {
	m := text[start:end]
	if strings.HasPrefix(m, "127.") || m == "0.0.0.0" {
		return -1
	}
	before, after := at(text, start-1), at(text, end)
	if (before == '.' && isDigit(at(text, start-2))) || (after == '.' && isDigit(at(text, end+1))) {
		return -1
	}
	if before == '/' && isLetter(at(text, start-2)) {
		return -1
	}
	return end
}

// ipv6: holds a digit and at least 6 characters (C++ `a::b` stays), and is not part of a longer
// colon-separated hex sequence (a certificate fingerprint).
func checkIPv6(text string, start, end int) int {
	m := text[start:end]
	if len(m) < 6 || !strings.ContainsAny(m, "0123456789") {
		return -1
	}
	if (at(text, start-1) == ':' && isHex(at(text, start-2))) || (at(text, end) == ':' && isHex(at(text, end+1))) {
		return -1
	}
	return end
}

// email: a domain followed by a frame's position is a stack frame (`onPress@index.android.bundle:12:3`).
func checkEmail(text string, start, end int) int {
	if framePositionEnd(text, end) >= 0 {
		return -1
	}
	return end
}

// framePositionEnd: where ":line" or ":line:column" (1-7 digits each) starting at i ends, if what follows
// it ends a frame (the text's end, a space, a line break, a closing bracket or quote). Anything else could be the
// start of what a later rule or match redacts, and a second pass would then read the address differently.
func framePositionEnd(text string, i int) int {
	if at(text, i) != ':' {
		return -1
	}
	for part := 0; part < 2 && at(text, i) == ':'; part++ {
		j := i + 1
		for j < len(text) && j-i <= 7 && isDigit(text[j]) {
			j++
		}
		if j == i+1 || (j < len(text) && isDigit(text[j])) {
			return -1
		}
		i = j
	}
	if i >= len(text) {
		return i
	}
	switch text[i] {
	case '\n', '\r', '\t', ')', ']', '"', '\'', ',', ';', '>':
		return i
	case ' ': // not before a digit, which a card number could go on with
		if !isDigit(at(text, i+1)) {
			return i
		}
	}
	return -1
}

// token-like: the credential (after the last space) looks random: it holds a digit, or an upper-case letter
// after its first character. `Bearer authentication failed` and `sk-product-listing-page` stay.
func checkTokenLike(text string, start, end int) int {
	tok := text[start:end]
	if sp := strings.LastIndexByte(tok, ' '); sp >= 0 {
		tok = tok[sp+1:]
	}
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; isDigit(c) || (i > 0 && c >= 'A' && c <= 'Z') {
			return end
		}
	}
	return -1
}

// basic-credentials: the base64 after `Basic ` decodes to user:password.
func checkBasicCredentials(text string, start, end int) int {
	tok := text[start:end]
	if sp := strings.LastIndexByte(tok, ' '); sp >= 0 {
		tok = tok[sp+1:]
	}
	raw, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(tok, "="))
	if err != nil || !strings.Contains(string(raw), ":") {
		return -1
	}
	return end
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
