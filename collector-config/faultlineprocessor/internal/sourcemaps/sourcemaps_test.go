package sourcemaps

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"faultline.local/faultlineprocessor/internal/sourcemaps/sourcemaptest"
)

var cartSource = "export class Cart {\n  total() {\n    return this.items.reduce((s, i) => s + i.price, 0);\n  }\n}\nexport function checkout(cart) {\n  return cart.total();\n}\n"

func cartMap() []byte {
	return sourcemaptest.Build([]string{"../src/cart.js"}, []string{cartSource}, []string{"reduce", "total"}, []sourcemaptest.Seg{
		{GenLine: 1, GenCol: 0, Src: 0, Line: 1, Col: 0, Name: -1},
		{GenLine: 1, GenCol: 30, Src: 0, Line: 3, Col: 22, Name: 0}, // the throw inside total, named "reduce" at the position
		{GenLine: 1, GenCol: 80, Src: 0, Line: 7, Col: 14, Name: 1}, // the call in checkout
	})
}

const cartIndex = `{"version":1,"functions":{"../src/cart.js":[[2,2,4,3,"Cart.total"],[3,29,3,53,"<anonymous>"],[6,0,8,1,"checkout"]]}}`

func TestLookupNamesTheEnclosingFunctionFromTheIndex(t *testing.T) {
	m, err := Parse(cartMap(), []byte(cartIndex))
	require.NoError(t, err)
	pos, ok := m.Lookup(1, 31)
	require.True(t, ok)
	assert.Equal(t, Position{Source: "../src/cart.js", Line: 3, Column: 23, Name: "Cart.total"}, pos)
	pos, ok = m.Lookup(1, 81)
	require.True(t, ok)
	assert.Equal(t, "checkout", pos.Name)
	assert.Equal(t, 7, pos.Line)

	// Without an index, the name at the mapped position is all there is.
	bare, err := Parse(cartMap(), nil)
	require.NoError(t, err)
	pos, _ = bare.Lookup(1, 31)
	assert.Equal(t, "reduce", pos.Name)
}

func TestContextShowsTheLinesAroundClipped(t *testing.T) {
	m, err := Parse(cartMap(), nil)
	require.NoError(t, err)
	assert.Equal(t, "  2 |   total() {\n> 3 |     return this.items.reduce((s, i) => s + i.price, 0);\n  4 |   }", m.Context("../src/cart.js", 3, 1, 240))
	assert.Equal(t, "> 3 |     retur…", m.Context("../src/cart.js", 3, 0, 9))
	assert.Equal(t, "", m.Context("nope.js", 3, 1, 240))
}

func TestHostileMapsAreErrorsNotPanics(t *testing.T) {
	for name, raw := range map[string]string{
		"not json":                `{"version":3,`,
		"wrong version":           `{"version":2,"sources":[],"mappings":"AAAA"}`,
		"bad vlq":                 `{"version":3,"sources":["a.js"],"mappings":"!!!!"}`,
		"no mappings":             `{"version":3,"sources":["a.js"],"mappings":""}`,
		"section without a map":   `{"version":3,"sections":[{"offset":{"line":0,"column":0}}]}`,
		"names of the wrong type": `{"version":3,"sources":["a.js"],"names":[{}],"mappings":"AAAAA"}`,
	} {
		t.Run(name, func(t *testing.T) {
			m, err := Parse([]byte(raw), nil)
			if err == nil {
				_, _ = m.Lookup(1, 1)
			}
		})
	}
	// A mapping that points past the sources and names it declares parses, and maps to nothing.
	m, err := Parse([]byte(`{"version":3,"sources":["a.js"],"names":[],"mappings":"AGAAI"}`), nil)
	require.NoError(t, err)
	_, ok := m.Lookup(1, 1)
	assert.False(t, ok)
}

func TestStorePathsStayUnderTheRoot(t *testing.T) {
	root := t.TempDir()
	s := NewStore(root, 1<<20)
	for _, c := range [][3]string{
		{"../../etc", "..", "https://x/../../passwd"},
		{"shop/../..", "./.", "file:///etc/passwd"},
		{".", ".hidden", "%2e%2e/x"},
		{"svc\x00", "rel/../../", "x"},
	} {
		p, ok := s.Path(c[0], c[1], c[2])
		require.True(t, ok, c)
		rel, err := filepath.Rel(root, p)
		require.NoError(t, err)
		assert.False(t, strings.HasPrefix(rel, ".."), p)
		assert.Equal(t, 4, len(strings.Split(rel, string(filepath.Separator))), p) // v1/service/release/key.map
		for _, part := range strings.Split(rel, string(filepath.Separator)) {
			assert.False(t, part == "." || part == ".." || strings.HasPrefix(part, "."), p)
		}
	}
	_, ok := s.Path("", "1.0", "x")
	assert.False(t, ok)
	_, ok = s.Path("svc", strings.Repeat("é", 100), "x")
	assert.False(t, ok)
}

func TestStoreRefusesLargeAndIrregularFiles(t *testing.T) {
	root := t.TempDir()
	s := NewStore(root, 100)
	big := filepath.Join(root, "big.map")
	require.NoError(t, os.WriteFile(big, make([]byte, 101), 0o644))
	_, err := s.read(big)
	assert.ErrorIs(t, err, ErrTooLarge)
	require.NoError(t, os.Mkdir(filepath.Join(root, "dir.map"), 0o755))
	_, err = s.read(filepath.Join(root, "dir.map"))
	assert.Error(t, err)
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(root, "link.map")))
	_, err = s.read(filepath.Join(root, "link.map"))
	assert.ErrorContains(t, err, "not a regular file")
	_, err = s.read(filepath.Join(root, "absent.map"))
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestCacheStaysWithinItsBytesAndSeesReuploads(t *testing.T) {
	root := t.TempDir()
	s := NewStore(root, 1<<20)
	raw := cartMap()
	perMap := int64(len(raw))*2 + 1024
	c := NewCache(s, perMap*10, time.Hour)
	for i := 0; i < 50; i++ {
		p := filepath.Join(root, fmt.Sprintf("%d.map", i))
		require.NoError(t, os.WriteFile(p, raw, 0o644))
		m, err := c.Get(p)
		require.NoError(t, err)
		require.NotNil(t, m)
	}
	st := c.Stats()
	assert.LessOrEqual(t, st.Bytes, perMap*10)
	assert.Equal(t, 10, st.Maps)
	assert.EqualValues(t, 40, st.Evictions)

	// An absent map is remembered until the TTL, then looked for again.
	now := time.Now()
	c = NewCache(s, 1<<20, time.Minute)
	c.now = func() time.Time { return now }
	p := filepath.Join(root, "later.map")
	_, err := c.Get(p)
	assert.ErrorIs(t, err, ErrNotFound)
	require.NoError(t, os.WriteFile(p, raw, 0o644))
	_, err = c.Get(p)
	assert.ErrorIs(t, err, ErrNotFound)
	now = now.Add(2 * time.Minute)
	m, err := c.Get(p)
	require.NoError(t, err)
	assert.NotNil(t, m)
}

// FuzzParse: any bytes as a map (and as its index), any position: an error or a position, never a panic.
func FuzzParse(f *testing.F) {
	f.Add(cartMap(), []byte(cartIndex), 1, 31)
	f.Add([]byte(`{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["a.js"],"mappings":"AAAA;AACA"}}]}`), []byte(`{}`), 2, 1)
	f.Add([]byte(`{"version":3,"sources":["a.js"],"names":[],"mappings":"AGAAI,CAAC;;gBAAgB"}`), []byte(`{"version":1,"functions":{"a.js":[[1,0,0,0,"x"]]}}`), 1, 5)
	f.Fuzz(func(t *testing.T, raw, index []byte, line, col int) {
		m, err := Parse(raw, index)
		if err != nil {
			return
		}
		if pos, ok := m.Lookup(line, col); ok {
			if pos.Line < 1 || pos.Column < 1 || pos.Source == "" {
				t.Fatalf("impossible position %+v", pos)
			}
			_ = m.Context(pos.Source, pos.Line, 2, 40)
		}
	})
}

// The shared layout cases (testdata/store-keys.json): the CLI's store.test.ts checks the same file.
func TestStoreKeysAreTheCLIs(t *testing.T) {
	raw, err := os.ReadFile("../../testdata/store-keys.json")
	require.NoError(t, err)
	var keys struct {
		Maps     []struct{ Service, Release, URL, Path string }
		DebugIDs []struct{ DebugID, Path string } `json:"debugIds"`
	}
	require.NoError(t, json.Unmarshal(raw, &keys))
	require.NotEmpty(t, keys.Maps)
	s := NewStore("/store", 1)
	for _, k := range keys.Maps {
		p, ok := s.Path(k.Service, k.Release, k.URL)
		require.True(t, ok)
		assert.Equal(t, filepath.Join("/store", k.Path), p, "%+v", k)
	}
	for _, k := range keys.DebugIDs {
		p, ok := s.DebugIDPath(k.DebugID)
		require.True(t, ok)
		assert.Equal(t, filepath.Join("/store", k.Path), p)
	}
	_, ok := s.DebugIDPath("../../x")
	assert.False(t, ok)
}

// BenchmarkParse: what the first span of a new map costs beyond a warm one: parsing a bundle-sized map
// (30,000 mappings, 600 KB of sources) and its 2,000-function index. bench/collector.bench.mjs measures the
// same end to end, where the collector's 200 ms batching hides it.
func BenchmarkParse(b *testing.B) {
	var segs []sourcemaptest.Seg
	for i := 0; i < 30000; i++ {
		segs = append(segs, sourcemaptest.Seg{GenLine: 1, GenCol: i * 4, Src: i % 20, Line: 1 + i/20%1500, Col: i % 60, Name: -1})
	}
	sources := make([]string, 20)
	contents := make([]string, 20)
	var index strings.Builder
	index.WriteString(`{"version":1,"functions":{`)
	for s := range sources {
		sources[s] = fmt.Sprintf("src/module%d.js", s)
		contents[s] = strings.Repeat("  const value = compute(input, options);\n", 750)
		if s > 0 {
			index.WriteByte(',')
		}
		fmt.Fprintf(&index, "%q:[", sources[s])
		for f := 0; f < 100; f++ {
			if f > 0 {
				index.WriteByte(',')
			}
			fmt.Fprintf(&index, `[%d,0,%d,1,"fn%d"]`, 1+f*7, 7+f*7, f)
		}
		index.WriteByte(']')
	}
	index.WriteString("}}")
	raw, idx := sourcemaptest.Build(sources, contents, nil, segs), []byte(index.String())
	b.SetBytes(int64(len(raw) + len(idx)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m, err := Parse(raw, idx)
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := m.Lookup(1, 401); !ok {
			b.Fatal("not mapped")
		}
	}
}
