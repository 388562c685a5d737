// Package symbolication maps a browser exception's minified frames back to the original sources: it
// rewrites exception.stacktrace in the engine's own format with original locations and enclosing function
// names, adds a few lines of source context, and returns the root error's original frames, from which the
// processor recomputes faultline.fingerprint with core's algorithm.
package symbolication // import "faultline.local/faultlineprocessor/internal/symbolication"

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"faultline.local/faultlineprocessor/internal/fingerprint"
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
	// ContextFrames: source context is shown for the innermost in-app frame, where the error was thrown.
	// Every occurrence carries it into Jaeger: context for three frames made a browser exception span about
	// four times larger and halved the pipeline's throughput (BENCHMARKS.md).
	ContextFrames = 1
	// ContextLineLength clips each context line: a minified or generated original can have huge lines.
	ContextLineLength = 160
	// MaxMappedFrames bounds the lookups one event costs: a stack of thousands of frames (a hostile client,
	// or a runaway recursion printed whole) has the rest of its lines left as sent. Engines print 10 to 200.
	MaxMappedFrames = 256
)

// Symbolicator maps frames through the maps of one store.
type Symbolicator struct {
	store        *sourcemaps.Store
	cache        *sourcemaps.Cache
	contextLines int
	results      *resultCache
}

// New returns a symbolicator reading store through cache; contextLines either side of each frame's line.
// Results are remembered for ttl (the map cache's): the same error thrown again, on every page view of a
// release, is mapped once.
func New(store *sourcemaps.Store, cache *sourcemaps.Cache, contextLines int, ttl time.Duration) *Symbolicator {
	return &Symbolicator{store: store, cache: cache, contextLines: contextLines, results: newResultCache(ttl)}
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
	// Frames are the root error's frames, mapped where a map said so (shared with the result cache: read only).
	Frames []stack.Frame
	// CallSite is the frames' part of the fingerprint (fingerprint.CallSite), kept with the cached result.
	CallSite string
}

// Symbolicate maps one exception event of a browser SDK.
func (s *Symbolicator) Symbolicate(service, release, typ, message, stacktrace string) Result {
	if release == "" {
		return Result{Status: NoMap}
	}
	// The root's header (`Type: message`) is the app's text, changing with every occurrence's ids: it is
	// neither parsed for frames nor part of the cache key. What follows it (the frames, and the causes'
	// sections) repeats with every occurrence of the same error in the same release.
	root := stack.Sections(stacktrace)[0]
	head := root[:len(root)-len(stack.JavaScriptBody(typ, message, root))]
	rest := stacktrace[len(head):]
	key := resultKey(service, release, rest)
	r, ok := s.results.get(key)
	if !ok {
		r = s.symbolicate(service, release, rest)
		s.results.put(key, r)
	}
	if r.Stacktrace != "" {
		r.Stacktrace = head + r.Stacktrace
	}
	return r
}

// symbolicate maps the text below the root's header: the root's frames, then each `Caused by:` section.
func (s *Symbolicator) symbolicate(service, release, text string) Result {
	var st state
	st.s, st.service, st.release = s, service, release
	var out strings.Builder
	var rootFrames []stack.Frame
	var contexts []string
	for i, section := range stack.Sections(text) {
		if i > 0 {
			out.WriteByte('\n')
		}
		// A cause's first line (`Caused by: Type: message`) is text: a line of it that looks like a frame is not one.
		body := section
		if i > 0 {
			if nl := strings.IndexByte(section, '\n'); nl >= 0 {
				body = section[nl:]
			} else {
				body = ""
			}
		}
		out.WriteString(section[:len(section)-len(body)])
		for j, line := range strings.Split(body, "\n") {
			if j > 0 {
				out.WriteByte('\n')
			}
			mapped, frame, isFrame := st.line(line)
			out.WriteString(mapped)
			if i == 0 && isFrame && len(rootFrames) < stack.MaxFrames {
				rootFrames = append(rootFrames, frame)
				if frame.InApp && st.lastMap != nil && len(contexts) < ContextFrames && s.contextLines > 0 {
					if ctx := st.lastMap.Context(st.lastPos.Source, st.lastPos.Line, s.contextLines, ContextLineLength); ctx != "" {
						contexts = append(contexts, frame.File+":"+strconv.Itoa(frame.Line)+"\n"+ctx)
					}
				}
			}
		}
	}
	res := Result{Frames: rootFrames, Context: strings.Join(contexts, "\n\n"), CallSite: fingerprint.CallSite(rootFrames)}
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
	looked           int // frames looked up, for MaxMappedFrames
	bad              error
	// lastMap and lastPos: where the last mapped line came from, for its source context.
	lastMap *sourcemaps.Map
	lastPos sourcemaps.Position
	// lastURL's store path.
	lastURL, lastPath string
	lastPathOK        bool
}

// line maps one line of a stack: the text to write, the frame for the fingerprint (mapped or not), and
// whether the line is a frame at all.
func (st *state) line(line string) (string, stack.Frame, bool) {
	st.lastMap = nil
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
	if st.looked++; st.looked > MaxMappedFrames {
		st.missed++
		return line, frame, true
	}
	// The frames of one stack are mostly of one bundle: its path is worked out once.
	if frame.File != st.lastURL {
		st.lastURL = frame.File
		st.lastPath, st.lastPathOK = st.s.store.Path(st.service, st.release, frame.File)
	}
	path, ok := st.lastPath, st.lastPathOK
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
	st.lastMap, st.lastPos = m, pos
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
