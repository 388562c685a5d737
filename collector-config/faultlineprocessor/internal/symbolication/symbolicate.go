// Package symbolication maps a browser exception's minified frames back to the original sources: it
// rewrites exception.stacktrace in the engine's own format with original locations and enclosing function
// names, adds a few lines of source context, and returns the root error's original frames, from which the
// processor recomputes faultline.fingerprint with core's algorithm.
package symbolication // import "faultline.local/faultlineprocessor/internal/symbolication"

import (
	"errors"
	"strconv"
	"strings"

	"faultline.local/faultlineprocessor/internal/sourcemaps"
	"faultline.local/faultlineprocessor/internal/stack"
)

// Status values of faultline.symbolication.
const (
	Mapped  = "mapped"  // every frame with a bundle URL was mapped
	Partial = "partial" // some were
	NoMap   = "no_map"  // none had a map (or the span has no release)
	BadMap  = "bad_map" // a map was malformed, too large, or the store unreadable, and nothing was mapped
)

// Limits of what symbolication adds to an event.
const (
	// ContextFrames: source context is shown for the innermost few in-app frames, where the bug usually is.
	ContextFrames = 3
	// ContextLineLength clips each context line: a minified or generated original can have huge lines.
	ContextLineLength = 240
)

// Symbolicator maps frames through the maps of one store.
type Symbolicator struct {
	store        *sourcemaps.Store
	cache        *sourcemaps.Cache
	contextLines int
}

// New returns a symbolicator reading store through cache; contextLines either side of each frame's line.
func New(store *sourcemaps.Store, cache *sourcemaps.Cache, contextLines int) *Symbolicator {
	return &Symbolicator{store: store, cache: cache, contextLines: contextLines}
}

// Result of one exception.
type Result struct {
	Status string
	// Error says why a map could not be used (bad_map), else "".
	Error string
	// Stacktrace is the rewritten text ("" when nothing was mapped).
	Stacktrace string
	// Context is the source context of the innermost in-app frames ("" when there is none).
	Context string
	// Frames are the root error's frames, mapped where a map said so.
	Frames []stack.Frame
}

// Symbolicate maps one exception event of a browser SDK.
func (s *Symbolicator) Symbolicate(service, release, typ, message, stacktrace string) Result {
	var st state
	st.s, st.service, st.release = s, service, release
	if release == "" {
		return Result{Status: NoMap}
	}
	sections := stack.Sections(stacktrace)
	var out strings.Builder
	var rootFrames []stack.Frame
	var contexts []string
	for i, section := range sections {
		if i > 0 {
			out.WriteByte('\n')
		}
		// The header (the root's `Type: message`, a cause's `Caused by: ...` line) is the app's text: a line
		// of it that looks like a frame is not one.
		head := ""
		body := section
		if i == 0 {
			body = stack.JavaScriptBody(typ, message, section)
		} else if nl := strings.IndexByte(section, '\n'); nl >= 0 {
			body = section[nl:]
		} else {
			body = ""
		}
		head = section[:len(section)-len(body)]
		out.WriteString(head)
		lines := strings.Split(body, "\n")
		for j, line := range lines {
			if j > 0 {
				out.WriteByte('\n')
			}
			mapped, frame, isFrame := st.line(line)
			out.WriteString(mapped)
			if i == 0 && isFrame && len(rootFrames) < stack.MaxFrames {
				rootFrames = append(rootFrames, frame)
				if frame.InApp && st.lastContext != "" && len(contexts) < ContextFrames {
					contexts = append(contexts, st.lastContext)
				}
			}
		}
	}
	res := Result{Frames: rootFrames, Context: strings.Join(contexts, "\n\n")}
	switch {
	case st.mapped > 0 && st.missed == 0:
		res.Status = Mapped
	case st.mapped > 0:
		res.Status = Partial
	case st.bad != nil:
		res.Status = BadMap
	default:
		res.Status = NoMap
	}
	if st.bad != nil {
		res.Error = st.bad.Error()
	}
	if st.mapped > 0 {
		res.Stacktrace = out.String()
	} else {
		res.Context = ""
	}
	return res
}

type state struct {
	s                *Symbolicator
	service, release string
	mapped, missed   int
	bad              error
	lastContext      string
}

// line maps one line of a stack: the text to write, the frame for the fingerprint (mapped or not), and
// whether the line is a frame at all.
func (st *state) line(line string) (string, stack.Frame, bool) {
	st.lastContext = ""
	trimmed := stack.TrimJS(line)
	if stack.UTF16Len(trimmed) > stack.MaxStackLineLength {
		return line, stack.Frame{}, false
	}
	frame, ok := stack.ParseJavaScriptLine(trimmed)
	if !ok {
		return line, stack.Frame{}, false
	}
	frame.InApp = stack.IsInApp(frame)
	if frame.HasFile {
		frame.File = stack.WithoutURLBody(frame.File)
	}
	if !mappable(frame) {
		return line, frame, true
	}
	path, ok := st.s.store.Path(st.service, st.release, frame.File)
	if !ok {
		st.missed++
		return line, frame, true
	}
	m, err := st.s.cache.Get(path)
	if err != nil {
		st.missed++
		if !errors.Is(err, sourcemaps.ErrNotFound) && st.bad == nil {
			st.bad = err
		}
		return line, frame, true
	}
	pos, ok := m.Lookup(frame.Line, frame.Column)
	if !ok {
		st.missed++
		return line, frame, true
	}
	st.mapped++
	original := stack.Frame{
		Function: pos.Name, HasFunc: pos.Name != "",
		File: cleanSource(pos.Source), HasFile: true,
		Line: pos.Line, Column: pos.Column, Async: frame.Async,
	}
	// A dependency bundled into the app is not the app: its sources sit under node_modules/.
	original.InApp = stack.IsInApp(original) && !strings.HasPrefix(original.File, "node_modules/")
	if st.s.contextLines > 0 {
		if ctx := m.Context(pos.Source, pos.Line, st.s.contextLines, ContextLineLength); ctx != "" {
			st.lastContext = original.File + ":" + strconv.Itoa(original.Line) + "\n" + ctx
		}
	}
	indent := line[:len(line)-len(stack.TrimStartJS(line))]
	return indent + format(trimmed, original), original, true
}

// mappable: a frame in a bundle served over HTTP(S), with a position.
func mappable(f stack.Frame) bool {
	return f.HasFile && f.Line > 0 && f.Column > 0 && !f.Eval && !f.Wasm && !f.Native &&
		(strings.HasPrefix(f.File, "https://") || strings.HasPrefix(f.File, "http://"))
}

// format writes a frame in the style of the line it replaces: V8's `at fn (file:line:col)`, else
// SpiderMonkey's and JavaScriptCore's `fn@file:line:col`.
func format(original string, f stack.Frame) string {
	loc := f.File + ":" + strconv.Itoa(f.Line) + ":" + strconv.Itoa(f.Column)
	if strings.HasPrefix(original, "at ") {
		prefix := "at "
		if f.Async {
			prefix = "at async "
		}
		if f.HasFunc {
			return prefix + f.Function + " (" + loc + ")"
		}
		return prefix + loc
	}
	return f.Function + "@" + loc
}

// cleanSource turns a map's source entry into the path a person reads: bundler schemes and leading
// ./ and ../ go (`webpack://shop/./src/cart.js` → `src/cart.js`, `../src/cart.js` → `src/cart.js`).
func cleanSource(source string) string {
	for _, scheme := range []string{"webpack://", "webpack-internal://", "rollup://", "vite://"} {
		if strings.HasPrefix(source, scheme) {
			source = source[len(scheme):]
			if i := strings.IndexByte(source, '/'); i >= 0 && !strings.HasPrefix(source, ".") {
				source = source[i+1:]
			}
			break
		}
	}
	for {
		switch {
		case strings.HasPrefix(source, "./"):
			source = source[2:]
		case strings.HasPrefix(source, "../"):
			source = source[3:]
		default:
			return source
		}
	}
}
