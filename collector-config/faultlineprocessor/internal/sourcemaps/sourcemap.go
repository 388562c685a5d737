package sourcemaps

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-sourcemap/sourcemap"
)

// Map is one parsed source map and its enclosing-function index.
type Map struct {
	consumer  *sourcemap.Consumer
	functions map[string][]function
	bytes     int64

	mu sync.Mutex
	// lineStarts of each source's content, found on first use by Context: a frame's context is then a
	// slice, not a scan of the whole source.
	lineStarts map[string][]int
}

// function is a range of an original source that one function spans (from the upload-time index):
// lines 1-based, columns 0-based, as the index writes them.
type function struct {
	startLine, startCol, endLine, endCol int
	name                                 string
}

// Position is an original location.
type Position struct {
	Source string
	Line   int // 1-based
	Column int // 1-based, as engines print columns
	// Name is the enclosing original function's name (from the index), else the name at the mapped
	// position, else "".
	Name string
}

// Parse parses a map (and its index, which may be nil). A malformed map is an error; a malformed index is
// ignored (names then come from the map alone). Never panics: a hostile map that trips the parser is an error.
func Parse(mapJSON, indexJSON []byte) (m *Map, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("malformed map: %v", r)
		}
	}()
	c, err := sourcemap.Parse("", mapJSON)
	if err != nil {
		return nil, fmt.Errorf("malformed map: %w", err)
	}
	m = &Map{consumer: c, bytes: int64(len(mapJSON))*2 + int64(len(indexJSON))*2 + 1024}
	if len(indexJSON) > 0 {
		m.functions = parseIndex(indexJSON)
	}
	return m, nil
}

// Bytes is the memory the map is charged in the cache: about twice its JSON (go-sourcemap keeps 24 bytes
// per mapping, and the sources' content as read).
func (m *Map) Bytes() int64 { return m.bytes }

// parseIndex reads `{"version":1,"functions":{"<source>":[[startLine,startCol,endLine,endCol,"name"],...]}}`.
func parseIndex(b []byte) map[string][]function {
	var raw struct {
		Version   int                            `json:"version"`
		Functions map[string][][]json.RawMessage `json:"functions"`
	}
	if json.Unmarshal(b, &raw) != nil || raw.Version != 1 {
		return nil
	}
	out := make(map[string][]function, len(raw.Functions))
	for source, list := range raw.Functions {
		fns := make([]function, 0, len(list))
		for _, e := range list {
			var f function
			if len(e) != 5 || json.Unmarshal(e[0], &f.startLine) != nil || json.Unmarshal(e[1], &f.startCol) != nil ||
				json.Unmarshal(e[2], &f.endLine) != nil || json.Unmarshal(e[3], &f.endCol) != nil ||
				json.Unmarshal(e[4], &f.name) != nil || f.name == "" {
				continue
			}
			fns = append(fns, f)
		}
		sort.SliceStable(fns, func(i, j int) bool {
			return before(fns[i].startLine, fns[i].startCol, fns[j].startLine, fns[j].startCol)
		})
		out[source] = fns
	}
	return out
}

func before(l1, c1, l2, c2 int) bool { return l1 < l2 || l1 == l2 && c1 < c2 }

// Lookup maps a generated position (1-based line and column, as engines print them) to the original one.
func (m *Map) Lookup(line, column int) (pos Position, ok bool) {
	defer func() {
		if recover() != nil {
			pos, ok = Position{}, false // a mapping that points outside sources or names
		}
	}()
	if line < 1 || column < 1 {
		return Position{}, false
	}
	source, name, l, c, found := m.consumer.Source(line, column-1)
	// A mapping whose column deltas run below zero (a hostile or broken map) points before its line: no position.
	if !found || source == "" || l < 1 || c < 0 {
		return Position{}, false
	}
	pos = Position{Source: source, Line: l, Column: c + 1, Name: name}
	if enclosing := m.enclosing(source, l, c); enclosing != "" {
		pos.Name = enclosing
	}
	return pos, true
}

// enclosing is the name of the innermost indexed function whose range holds (line, col).
func (m *Map) enclosing(source string, line, col int) string {
	fns := m.functions[source]
	// The last function starting at or before the position, then back to the first that also ends after it:
	// ranges from a syntax tree nest, so that one is the innermost.
	i := sort.Search(len(fns), func(i int) bool { return before(line, col, fns[i].startLine, fns[i].startCol) })
	for i--; i >= 0; i-- {
		f := fns[i]
		if before(line, col, f.endLine, f.endCol) {
			return f.name
		}
	}
	return ""
}

// Context returns up to `around` lines either side of line in source's content, each clipped to
// maxLineLength, as "  41 | text" lines with "> " marking the line itself; "" without content.
func (m *Map) Context(source string, line, around, maxLineLength int) string {
	content := m.consumer.SourceContent(source)
	if content == "" || line < 1 {
		return ""
	}
	starts := m.starts(source, content)
	if line > len(starts) {
		return ""
	}
	var b strings.Builder
	for ln := max(1, line-around); ln <= min(len(starts), line+around); ln++ {
		end := len(content)
		if ln < len(starts) {
			end = starts[ln] - 1
		}
		text := strings.TrimRight(content[starts[ln-1]:end], "\r")
		if len(text) > maxLineLength {
			cut := maxLineLength
			for cut > 0 && !utf8.RuneStart(text[cut]) {
				cut--
			}
			text = text[:cut] + "…"
		}
		mark := "  "
		if ln == line {
			mark = "> "
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s%d | %s", mark, ln, text)
	}
	return b.String()
}

// starts are the offsets where each line of content begins (lines from 1 at index 0).
func (m *Map) starts(source, content string) []int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.lineStarts[source]; ok {
		return s
	}
	s := []int{0}
	for i := 0; i < len(content); i++ {
		if content[i] == '\n' {
			s = append(s, i+1)
		}
	}
	if m.lineStarts == nil {
		m.lineStarts = map[string][]int{}
	}
	m.lineStarts[source] = s
	// Charged to the map in the cache only approximately (8 bytes a line): it was loaded already.
	return s
}
