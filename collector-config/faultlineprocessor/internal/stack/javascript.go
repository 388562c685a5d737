// Package stack parses stack traces into frames: JavaScript's (a port of @faultline/core's
// packages/core/src/parse-stack.ts, line for line, so that a fingerprint computed here equals core's) and
// those of the other languages whose OpenTelemetry SDKs record exceptions (Python, Java, Go).
package stack // import "faultline.local/faultlineprocessor/internal/stack"

import (
	"regexp"
	"strings"
)

// Limits, the same as core's packages/core/src/limits.ts: a hostile stack costs bounded work.
const (
	MaxFrames          = 100
	MaxStackLineLength = 4096
	MaxStackInput      = 256 * 1024
)

// Frame is one frame of a parsed stack, innermost first. Only what the collector needs of core's
// StackFrame: the fingerprint reads Function, File, InApp and Native; symbolication reads Line and Column.
type Frame struct {
	Function string
	HasFunc  bool
	File     string
	HasFile  bool
	Line     int // 0: unknown
	Column   int // 0: unknown
	Native   bool
	Async    bool
	Eval     bool // the position is inside eval'd code (not mappable)
	Wasm     bool
	InApp    bool
}

// ParseJavaScript parses error.stack text (V8, SpiderMonkey, JavaScriptCore, Chakra) into frames,
// innermost first, as core's parseStack does. Unknown lines are skipped; never panics.
func ParseJavaScript(stack string) (frames []Frame) {
	defer func() {
		if recover() != nil {
			// A parser bug must not cost the report: keep what was parsed so far.
			return
		}
	}()
	text := stack
	if utf16Len(text) > MaxStackInput {
		text = sliceUTF16(text, MaxStackInput)
	}
	for _, raw := range strings.Split(text, "\n") {
		if len(frames) >= MaxFrames {
			break
		}
		if utf16Len(raw) > MaxStackLineLength {
			continue
		}
		if f, ok := ParseJavaScriptLine(TrimJS(raw)); ok {
			f.InApp = isInApp(f)
			frames = append(frames, f)
		}
	}
	return frames
}

// ParseJavaScriptLine parses one trimmed stack line; ok is false when it is not a frame.
func ParseJavaScriptLine(line string) (Frame, bool) {
	if line == "" {
		return Frame{}, false
	}
	if strings.HasPrefix(line, "at ") {
		return parseV8Line(TrimStartJS(line[3:]))
	}
	if strings.Contains(line, "@") {
		return parseGeckoLine(line)
	}
	return parseBareLocationLine(line)
}

var safariScheme = regexp.MustCompile(`^(?:(` + jsDot + `*)@)?([a-zA-Z][\w+.-]*):$`)

func parseV8Line(rest string) (Frame, bool) {
	isAsync := false
	if strings.HasPrefix(rest, "async ") {
		isAsync = true
		rest = rest[6:]
	}
	var fnPart string
	hasFn := false
	locPart := rest
	if strings.HasSuffix(rest, ")") {
		open := matchingOpenParen(rest, len(rest)-1)
		if open < 0 {
			return Frame{}, false
		}
		fnPart = TrimJS(rest[:open])
		hasFn = true
		locPart = rest[open+1 : len(rest)-1]
		if strings.HasPrefix(fnPart, "(") {
			return Frame{}, false
		}
		if strings.HasSuffix(fnPart, ":") {
			if m := safariScheme.FindStringSubmatch(fnPart); m != nil {
				fnPart = m[1]
				locPart = m[2] + ":" + locPart
			}
		}
	}
	var f Frame
	if hasFn && fnPart != "" && fnPart != "<anonymous>" && fnPart != "?" {
		f.Function, f.HasFunc = fnPart, true
	}
	if strings.HasPrefix(locPart, "async ") {
		isAsync = true
		locPart = locPart[6:]
	}
	if strings.HasPrefix(locPart, "address at ") {
		locPart = locPart[11:] // Hermes
	}
	if !parseV8Location(locPart, &f, hasFn) {
		return Frame{}, false
	}
	f.Async = isAsync
	return f, true
}

var promiseIndex = regexp.MustCompile(`^index [0-9]+$`)

func parseV8Location(loc string, f *Frame, parenthesized bool) bool {
	if loc == "native" || loc == "native code" || (loc == "<anonymous>" && parenthesized) {
		f.File, f.HasFile, f.Native = loc, true, true
		return true
	}
	if strings.HasPrefix(loc, "index ") && promiseIndex.MatchString(loc) {
		return true
	}
	if strings.HasPrefix(loc, "eval at ") {
		return parseV8Eval(loc, f)
	}
	return parseFileLocation(loc, f)
}

func parseV8Eval(loc string, f *Frame) bool {
	comma := strings.LastIndex(loc, ", ")
	head := loc
	if comma > 0 {
		head = loc[:comma]
		f.Eval = true
	}
	inner := head
	for depth := 0; strings.HasPrefix(inner, "eval at ") && depth < 16; depth++ {
		if !strings.HasSuffix(inner, ")") {
			c := strings.LastIndex(inner, ", ")
			if c < 0 {
				return false
			}
			inner = inner[:c]
			continue
		}
		open := matchingOpenParen(inner, len(inner)-1)
		if open < 0 {
			return false
		}
		inner = inner[open+1 : len(inner)-1]
	}
	return parseFileLocation(inner, f)
}

var (
	geckoArgs = regexp.MustCompile(`^([^()]*)\(` + jsDot + `*\)$`)
	geckoEval = regexp.MustCompile(`^(` + notJSSpace + `+) line ([0-9]+) > ((?:eval|Function)(?: line [0-9]+ > (?:eval|Function))*):([0-9]+):([0-9]+)$`)
)

func parseGeckoLine(line string) (Frame, bool) {
	at := separatorAt(line)
	if at < 0 {
		return parseBareLocationLine(line)
	}
	fn := line[:at]
	loc := line[at+1:]
	if hasJSSpace(fn) && fn != "global code" && fn != "eval code" {
		return Frame{}, false
	}
	var f Frame
	if m := geckoArgs.FindStringSubmatch(fn); m != nil {
		fn = m[1]
	}
	if fn != "" {
		f.Function, f.HasFunc = fn, true
	}
	if loc == "[native code]" {
		f.File, f.HasFile, f.Native = loc, true, true
		return f, true
	}
	if loc == "[wasm code]" {
		f.File, f.HasFile, f.Wasm = loc, true, true
		return f, true
	}
	if m := geckoEval.FindStringSubmatch(loc); m != nil {
		f.File, f.HasFile = m[1], true
		f.Line = atoi(m[2])
		f.Eval = true
		return f, true
	}
	if hasJSSpace(loc) {
		return Frame{}, false
	}
	if parseFileLocation(loc, &f) {
		return f, true
	}
	return Frame{}, false
}

// separatorAt is the index of the "@" separating function from location: the first outside brackets and quotes.
func separatorAt(line string) int {
	depth := 0
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[':
			depth++
		case c == ']':
			if depth > 0 {
				depth--
			}
		case c == '@' && depth == 0:
			return i
		}
	}
	return -1
}

var trailingColonDigits = regexp.MustCompile(`:[0-9]+$`)

func parseBareLocationLine(line string) (Frame, bool) {
	if hasJSSpace(line) || !trailingColonDigits.MatchString(line) || !strings.ContainsAny(line, "./") {
		return Frame{}, false
	}
	var f Frame
	if parseFileLocation(line, &f) && f.Line != 0 {
		return f, true
	}
	return Frame{}, false
}

var wasmLocation = regexp.MustCompile(`^(` + jsDot + `*):[wW][aA][sS][mM]-[fF][uU][nN][cC][tT][iI][oO][nN]\[([0-9]+)\]:(0[xX][0-9a-fA-F]+)$`)

func parseFileLocation(loc string, f *Frame) bool {
	if loc == "" {
		return false
	}
	if strings.Contains(loc, ":wasm-function[") {
		if m := wasmLocation.FindStringSubmatch(loc); m != nil {
			f.File, f.HasFile, f.Wasm = m[1], true, true
			return true
		}
	}
	file := loc
	if rest, last, ok := trailingNumber(file); ok {
		file = rest
		if rest2, prev, ok := trailingNumber(file); ok {
			file = rest2
			f.Line, f.Column = prev, last
		} else {
			f.Line = last
		}
	} else if hasJSSpace(loc) || !strings.ContainsAny(loc, "./\\") {
		return false
	}
	if file == "" {
		return false
	}
	f.File, f.HasFile = file, true
	return true
}

// trailingNumber splits "rest:123" into rest and 123 when the text ends in a colon and at most 9 digits.
func trailingNumber(text string) (string, int, bool) {
	i := len(text)
	for i > 0 && text[i-1] >= '0' && text[i-1] <= '9' {
		i--
	}
	if i == len(text) || i == 0 || text[i-1] != ':' || len(text)-i > 9 {
		return "", 0, false
	}
	return text[:i-1], atoi(text[i:]), true
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s) && i < 9; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func matchingOpenParen(text string, close int) int {
	depth := 0
	for i := close; i >= 0; i-- {
		switch text[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func isInApp(f Frame) bool {
	if !f.HasFile || f.Native {
		return false
	}
	file := f.File
	if strings.HasPrefix(file, "node:") || strings.HasPrefix(file, "internal/") || file == "<anonymous>" {
		return false
	}
	return !strings.Contains(file, "/node_modules/") && !strings.Contains(file, `\node_modules\`)
}

// IsInApp is core's in-app rule, for frames built elsewhere (symbolicated ones).
func IsInApp(f Frame) bool { return isInApp(f) }

// WithoutURLBody is core's withoutUrlBody: data: URLs become `<data:media/type>`, blob: URLs `<blob:origin>`.
func WithoutURLBody(file string) string {
	if strings.HasPrefix(file, "data:") {
		m := dataMedia.FindStringSubmatch(file)
		return "<data:" + m[1] + ">"
	}
	if strings.HasPrefix(file, "blob:") {
		m := blobOrigin.FindStringSubmatch(file)
		return "<blob:" + m[1] + ">"
	}
	return file
}

var (
	dataMedia  = regexp.MustCompile(`^data:((?:[\w.+-]{1,40}/[\w.+-]{1,60}(?:;base64)?)?)`)
	blobOrigin = regexp.MustCompile(`^blob:((?:[a-zA-Z][\w+.-]*://[^/` + jsSpaceClass + `]*|[nN][uU][lL][lL])?)`)
)
