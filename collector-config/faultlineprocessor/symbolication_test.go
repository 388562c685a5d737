package faultlineprocessor

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"faultline.local/faultlineprocessor/internal/fingerprint"
	"faultline.local/faultlineprocessor/internal/sourcemaps"
	"faultline.local/faultlineprocessor/internal/sourcemaps/sourcemaptest"
	"faultline.local/faultlineprocessor/internal/stack"
	"faultline.local/faultlineprocessor/internal/symbolication"
)

// Two builds of one app: the same original code, minified to different positions and names (the second
// build has unrelated code before it). Their errors must read the same and group together.
const (
	cartJS = "export class Cart {\n  total() {\n    return this.items.reduce((s, i) => s + i.price, 0);\n  }\n}\n" +
		"export function checkout(cart) {\n  return cart.total();\n}\nconst apiKey = 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB';\n"
	mainJS = "import { checkout } from './cart.js';\ndocument.querySelector('button').onclick = function onClick() {\n  checkout(window.cart);\n};\n"
	index  = `{"version":1,"functions":{"../src/cart.js":[[2,2,4,3,"Cart.total"],[3,29,3,53,"<anonymous>"],[6,0,8,1,"checkout"]],"../src/main.js":[[2,43,4,1,"onClick"]]}}`
)

type build struct {
	url        string
	cols       [3]int // generated columns (0-based) of the throw, the call in checkout, the call in onClick
	names      [3]string
	minifiedFP string
}

var builds = []build{
	{url: "https://shop.example/assets/app.3f9a1c2d.js", cols: [3]int{100, 200, 300}, names: [3]string{"n.total", "r", "HTMLButtonElement.o"}},
	{url: "https://shop.example/assets/app.77aa88bb.js", cols: [3]int{150, 260, 420}, names: [3]string{"i.total", "a", "HTMLButtonElement.s"}},
}

func (b build) mapJSON() []byte {
	return sourcemaptest.Build([]string{"../src/cart.js", "../src/main.js"}, []string{cartJS, mainJS}, []string{"reduce", "total", "checkout"},
		[]sourcemaptest.Seg{
			{GenLine: 1, GenCol: 0, Src: 0, Line: 1, Col: 0, Name: -1},
			{GenLine: 1, GenCol: b.cols[0], Src: 0, Line: 3, Col: 22, Name: 0},
			{GenLine: 1, GenCol: b.cols[1], Src: 0, Line: 7, Col: 14, Name: 1},
			{GenLine: 1, GenCol: b.cols[2], Src: 1, Line: 3, Col: 2, Name: 2},
		})
}

func (b build) stacktrace() string {
	return "TypeError: Cannot read properties of undefined (reading 'reduce')\n" +
		"    at " + b.names[0] + " (" + b.url + ":1:" + itoa(b.cols[0]+1) + ")\n" +
		"    at " + b.names[1] + " (" + b.url + ":1:" + itoa(b.cols[1]+1) + ")\n" +
		"    at " + b.names[2] + " (" + b.url + ":1:" + itoa(b.cols[2]+1) + ")"
}

func itoa(n int) string { return strconv.Itoa(n) }

// upload writes a map (and the index) where `faultline sourcemaps upload` puts it.
func upload(t *testing.T, root, service, release, url string, mapJSON []byte, withIndex bool) {
	p, ok := sourcemaps.NewStore(root, 1<<30).Path(service, release, url)
	require.True(t, ok)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, mapJSON, 0o644))
	if withIndex {
		require.NoError(t, os.WriteFile(sourcemaps.IndexPath(p), []byte(index), 0o644))
	}
}

func symbolicationConfig(root string) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.Symbolication.Store = root
	return cfg
}

// browserSpan is an exception span as faultline's browser agent sends it.
func browserSpan(release, language, stacktrace, agentFingerprint string) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	res := rs.Resource().Attributes()
	res.PutStr("service.name", "shop-web")
	if release != "" {
		res.PutStr("service.version", release)
	}
	res.PutStr("telemetry.sdk.name", "faultline")
	res.PutStr("telemetry.sdk.language", language)
	span := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetName("exception")
	span.Attributes().PutStr("faultline.fingerprint", agentFingerprint)
	ev := span.Events().AppendEmpty()
	ev.SetName("exception")
	ev.Attributes().PutStr("exception.type", "TypeError")
	ev.Attributes().PutStr("exception.message", "Cannot read properties of undefined (reading 'reduce')")
	ev.Attributes().PutStr("exception.stacktrace", stacktrace)
	ev.Attributes().PutStr("faultline.fingerprint", agentFingerprint)
	ev.Attributes().PutStr("faultline.mechanism", "onerror")
	return td
}

func onlySpan(td ptrace.Traces) ptrace.Span {
	return td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
}

func attr(m pcommon.Map, k string) string {
	v, ok := m.Get(k)
	if !ok {
		return "<absent>"
	}
	return v.AsString()
}

func agentFingerprint(text string) string {
	const typ, msg = "TypeError", "Cannot read properties of undefined (reading 'reduce')"
	return fingerprint.Of(typ, msg, stack.JavaScriptFrames(typ, msg, text))
}

func TestSymbolicationMapsFramesToOriginalsAndGroupsTwoBuilds(t *testing.T) {
	root := t.TempDir()
	for _, b := range builds {
		upload(t, root, "shop-web", "1.4.2", b.url, b.mapJSON(), true)
	}
	var fingerprints, minified []string
	for _, b := range builds {
		text := b.stacktrace()
		cfg := symbolicationConfig(root)
		cfg.Symbolication.SourceContextLines = 6 // down to line 9, where the source holds a key
		out := onlySpan(runTraces(t, cfg, browserSpan("1.4.2", "webjs", text, agentFingerprint(text))))
		ev := out.Events().At(0).Attributes()
		assert.Equal(t, "TypeError: Cannot read properties of undefined (reading 'reduce')\n"+
			"    at Cart.total (src/cart.js:3:23)\n"+
			"    at checkout (src/cart.js:7:15)\n"+
			"    at onClick (src/main.js:3:3)", attr(ev, "exception.stacktrace"))
		assert.Equal(t, text, attr(ev, "exception.stacktrace.minified"))
		assert.Equal(t, "mapped", attr(ev, "faultline.symbolication"))
		assert.Equal(t, "mapped", attr(out.Attributes(), "faultline.symbolication"))
		assert.Equal(t, "<absent>", attr(out.Attributes(), "faultline.exception"), "faultline's own report is not marked")
		// Source context of the innermost in-app frame, redacted like everything else.
		ctx := attr(ev, "faultline.source_context")
		assert.True(t, strings.HasPrefix(ctx, "src/cart.js:3\n  1 | export class Cart {\n  2 |   total() {\n> 3 |     return this.items.reduce"), ctx)
		assert.NotContains(t, ctx, "src/cart.js:7\n", "one frame's context only")
		assert.Contains(t, ctx, "  9 | const apiKey = '[REDACTED:github-token]';")
		assert.NotContains(t, ctx, "ghp_0123456789")
		assert.Equal(t, attr(ev, "faultline.fingerprint"), attr(out.Attributes(), "faultline.fingerprint"))
		fingerprints = append(fingerprints, attr(ev, "faultline.fingerprint"))
		minified = append(minified, agentFingerprint(text))
	}
	assert.Equal(t, fingerprints[0], fingerprints[1], "two builds of the same code group together")
	assert.NotEqual(t, minified[0], minified[1], "(the minified fingerprints differ: that is the bug this fixes)")
	assert.NotEqual(t, minified[0], fingerprints[0])
}

func TestSymbolicationKeepsCausesAndTheEnginesFormat(t *testing.T) {
	root := t.TempDir()
	b := builds[0]
	upload(t, root, "shop-web", "1.4.2", b.url, b.mapJSON(), true)
	// SpiderMonkey's format, with a cause whose frames are mapped too, and a frame of a script without a map.
	text := "TypeError: Cannot read properties of undefined (reading 'reduce')\n" +
		"total@" + b.url + ":1:101\n" +
		"x@https://cdn.example/vendor.js:1:5\n" +
		"Caused by: Error: inner\n" +
		"r@" + b.url + "?v=2:1:201"
	out := onlySpan(runTraces(t, symbolicationConfig(root), browserSpan("1.4.2", "webjs", text, "0000000000000000")))
	ev := out.Events().At(0).Attributes()
	assert.Equal(t, "TypeError: Cannot read properties of undefined (reading 'reduce')\n"+
		"Cart.total@src/cart.js:3:23\n"+
		"x@https://cdn.example/vendor.js:1:5\n"+
		"Caused by: Error: inner\n"+
		"checkout@src/cart.js:7:15", attr(ev, "exception.stacktrace"))
	assert.Equal(t, "partial", attr(ev, "faultline.symbolication"))
	assert.NotEqual(t, "0000000000000000", attr(out.Attributes(), "faultline.fingerprint"))
}

func TestWithoutAnIndexTheMappedNameIsUsed(t *testing.T) {
	root := t.TempDir()
	b := builds[0]
	upload(t, root, "shop-web", "1.4.2", b.url, b.mapJSON(), false)
	out := onlySpan(runTraces(t, symbolicationConfig(root), browserSpan("1.4.2", "webjs", b.stacktrace(), "x")))
	assert.Contains(t, attr(out.Events().At(0).Attributes(), "exception.stacktrace"), "at reduce (src/cart.js:3:23)")
}

func TestSpansPassUnchangedWithAStatusWhenMapsCannotHelp(t *testing.T) {
	root := t.TempDir()
	b := builds[0]
	text := b.stacktrace()
	huge := symbolicationConfig(root)
	huge.Symbolication.MaxMapBytes = 64
	for name, c := range map[string]struct {
		setup   func()
		cfg     *Config
		release string
		status  string
		err     string
	}{
		"no map uploaded":        {func() {}, symbolicationConfig(root), "1.4.2", "no_map", ""},
		"no release on the span": {func() {}, symbolicationConfig(root), "", "no_map", ""},
		"a malformed map": {func() {
			upload(t, root, "shop-web", "2.0.0", b.url, []byte(`{"version":3,"mappings":"!!"`), false)
		}, symbolicationConfig(root), "2.0.0", "bad_map", "malformed map"},
		"a map over the size limit": {func() {
			upload(t, root, "shop-web", "3.0.0", b.url, b.mapJSON(), false)
		}, huge, "3.0.0", "bad_map", "map too large"},
		"a map pointing past its sources": {func() {
			upload(t, root, "shop-web", "4.0.0", b.url, []byte(`{"version":3,"sources":["a.js"],"names":[],"mappings":"AGAAI,qGAAqG"}`), false)
		}, symbolicationConfig(root), "4.0.0", "no_map", ""},
		"a traversing release": {func() {}, symbolicationConfig(root), "../../../../etc", "no_map", ""},
		"a store that is a file": {func() {
			require.NoError(t, os.WriteFile(filepath.Join(root, "file"), nil, 0o644))
		}, symbolicationConfig(filepath.Join(root, "file")), "1.4.2", "bad_map", "unreadable store"},
	} {
		t.Run(name, func(t *testing.T) {
			c.setup()
			out := onlySpan(runTraces(t, c.cfg, browserSpan(c.release, "webjs", text, "agent00000000000")))
			ev := out.Events().At(0).Attributes()
			assert.Equal(t, text, attr(ev, "exception.stacktrace"))
			assert.Equal(t, "<absent>", attr(ev, "exception.stacktrace.minified"))
			assert.Equal(t, c.status, attr(ev, "faultline.symbolication"))
			assert.Equal(t, "agent00000000000", attr(out.Attributes(), "faultline.fingerprint"), "the agent's fingerprint is kept")
			if c.err != "" {
				assert.Contains(t, attr(ev, "faultline.symbolication.error"), c.err)
			}
		})
	}
}

func TestAHugeStackIsMappedUpToALimit(t *testing.T) {
	root := t.TempDir()
	b := builds[0]
	upload(t, root, "shop-web", "1.4.2", b.url, b.mapJSON(), true)
	frame := "\n    at n.total (" + b.url + ":1:101)"
	text := "TypeError: x" + strings.Repeat(frame, 5000)
	out := onlySpan(runTraces(t, symbolicationConfig(root), browserSpan("1.4.2", "webjs", text, "x")))
	ev := out.Events().At(0).Attributes()
	assert.Equal(t, "partial", attr(ev, "faultline.symbolication"))
	mapped := attr(ev, "exception.stacktrace")
	assert.Equal(t, symbolication.MaxMappedFrames, strings.Count(mapped, "at Cart.total (src/cart.js:3:23)"))
	assert.Equal(t, strings.Count(text, "\n"), strings.Count(mapped, "\n"))
}

func TestNodeStacksAreNotSymbolicated(t *testing.T) {
	root := t.TempDir()
	b := builds[0]
	upload(t, root, "shop-web", "1.4.2", b.url, b.mapJSON(), true)
	text := b.stacktrace()
	out := onlySpan(runTraces(t, symbolicationConfig(root), browserSpan("1.4.2", "nodejs", text, "agent00000000000")))
	ev := out.Events().At(0).Attributes()
	assert.Equal(t, text, attr(ev, "exception.stacktrace"))
	assert.Equal(t, "<absent>", attr(ev, "faultline.symbolication"))
	assert.Equal(t, "agent00000000000", attr(out.Attributes(), "faultline.fingerprint"))
	assert.Equal(t, "<absent>", attr(out.Attributes(), "faultline.exception"))
}

// faultline's agent also adds its exception event to the span that was active (an HTTP span): that copy is
// not a report of its own, so the span is neither marked nor given the report's fingerprint; its stack is
// symbolicated all the same.
func TestTheAgentsCopyOnTheActiveSpanIsNotMarked(t *testing.T) {
	root := t.TempDir()
	b := builds[0]
	upload(t, root, "shop-web", "1.4.2", b.url, b.mapJSON(), true)
	td := browserSpan("1.4.2", "webjs", b.stacktrace(), "agent00000000000")
	active := onlySpan(td)
	active.SetName("GET /cart")
	active.Attributes().Remove("faultline.fingerprint")
	out := onlySpan(runTraces(t, symbolicationConfig(root), td))
	assert.Equal(t, "<absent>", attr(out.Attributes(), "faultline.exception"))
	assert.Equal(t, "<absent>", attr(out.Attributes(), "faultline.fingerprint"))
	assert.Contains(t, attr(out.Events().At(0).Attributes(), "exception.stacktrace"), "at Cart.total (src/cart.js:3:23)")
}

// otherSDKSpan is an HTTP server span on which another SDK recorded an exception (no faultline attributes).
func otherSDKSpan(language, typ, message, stacktrace string) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "billing")
	rs.Resource().Attributes().PutStr("telemetry.sdk.name", "opentelemetry")
	rs.Resource().Attributes().PutStr("telemetry.sdk.language", language)
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	span := spans.AppendEmpty()
	span.SetName("POST /charge")
	ev := span.Events().AppendEmpty()
	ev.SetName("exception")
	ev.Attributes().PutStr("exception.type", typ)
	ev.Attributes().PutStr("exception.message", message)
	if stacktrace != "" {
		ev.Attributes().PutStr("exception.stacktrace", stacktrace)
	}
	plain := spans.AppendEmpty()
	plain.SetName("SELECT")
	plain.Events().AppendEmpty().SetName("log")
	return td
}

func TestExceptionsFromEverySDKAreMarkedAndFingerprintedAsCoreWould(t *testing.T) {
	python := func(line, id string) string {
		return "Traceback (most recent call last):\n" +
			"  File \"/srv/billing/app.py\", line " + line + ", in charge\n    total = compute(order)\n" +
			"  File \"/srv/billing/pricing.py\", line 12, in compute\n    raise ValueError(f\"bad order {order.id}\")\n" +
			"  File \"/usr/lib/python3.11/json/__init__.py\", line 346, in loads\n" +
			"ValueError: bad order " + id + "\n"
	}
	java := "java.lang.IllegalStateException: no stock for 42\n" +
		"\tat com.shop.Stock.take(Stock.java:31)\n\tat com.shop.Cart.checkout(Cart.java:12)\n" +
		"\tat java.base/java.lang.Thread.run(Thread.java:833)\nCaused by: java.io.IOException: x\n\tat com.shop.Db.read(Db.java:5)"
	cases := []struct {
		language, typ, message, stacktrace string
		frames                             []stack.Frame
	}{
		{"python", "ValueError", "bad order 1234", python("41", "1234"), []stack.Frame{
			{Function: "loads", HasFunc: true, File: "/usr/lib/python3.11/json/__init__.py", HasFile: true, InApp: false},
			{Function: "compute", HasFunc: true, File: "/srv/billing/pricing.py", HasFile: true, InApp: true},
			{Function: "charge", HasFunc: true, File: "/srv/billing/app.py", HasFile: true, InApp: true},
		}},
		{"java", "java.lang.IllegalStateException", "no stock for 42", java, []stack.Frame{
			{Function: "com.shop.Stock.take", HasFunc: true, File: "Stock.java", HasFile: true, InApp: true},
			{Function: "com.shop.Cart.checkout", HasFunc: true, File: "Cart.java", HasFile: true, InApp: true},
		}},
		{"dotnet", "System.InvalidOperationException", "no stock", "System.InvalidOperationException: no stock\n   at Shop.Stock.Take() in /src/Stock.cs:line 31\n   at System.Threading.Thread.Start()", []stack.Frame{
			{Function: "Shop.Stock.Take", HasFunc: true, File: "/src/Stock.cs", HasFile: true, InApp: true},
		}},
		{"go", "*errors.errorString", "boom", "goroutine 1 [running]:\nmain.charge(0x1)\n\t/srv/billing/main.go:12 +0x1d\nruntime.main()\n\t/usr/local/go/src/runtime/proc.go:250 +0x207", []stack.Frame{
			{Function: "main.charge", HasFunc: true, File: "/srv/billing/main.go", HasFile: true, InApp: true},
		}},
		{"rust", "Error", "no stack format known", "0: std::panicking", nil},
	}
	for _, c := range cases {
		t.Run(c.language, func(t *testing.T) {
			out := runTraces(t, createDefaultConfig().(*Config), otherSDKSpan(c.language, c.typ, c.message, c.stacktrace))
			spans := out.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
			span := spans.At(0)
			assert.Equal(t, "true", attr(span.Attributes(), "faultline.exception"))
			want := fingerprint.Of(c.typ, c.message, c.frames)
			assert.Equal(t, want, attr(span.Attributes(), "faultline.fingerprint"))
			assert.Equal(t, want, attr(span.Events().At(0).Attributes(), "faultline.fingerprint"))
			assert.Equal(t, "<absent>", attr(spans.At(1).Attributes(), "faultline.exception"), "a span without an exception is left alone")
			assert.Equal(t, "<absent>", attr(spans.At(1).Attributes(), "faultline.fingerprint"))
		})
	}
	// The same Python error from another line and another order id: the same group.
	a := attr(onlySpan(runTraces(t, createDefaultConfig().(*Config), otherSDKSpan("python", "ValueError", "bad order 1234", python("41", "1234")))).Attributes(), "faultline.fingerprint")
	b := attr(onlySpan(runTraces(t, createDefaultConfig().(*Config), otherSDKSpan("python", "ValueError", "bad order 98", python("57", "98")))).Attributes(), "faultline.fingerprint")
	assert.Equal(t, a, b)
}

// FuzzSymbolicate: any stack text against a real map: never a panic, one output line per input line.
func FuzzSymbolicate(f *testing.F) {
	root := f.TempDir()
	b := builds[0]
	p, _ := sourcemaps.NewStore(root, 1<<30).Path("shop-web", "1.4.2", b.url)
	_ = os.MkdirAll(filepath.Dir(p), 0o755)
	_ = os.WriteFile(p, b.mapJSON(), 0o644)
	_ = os.WriteFile(sourcemaps.IndexPath(p), []byte(index), 0o644)
	proc, err := newFaultlineProcessor(symbolicationConfig(root), processortest.NewNopSettings(Type))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b.stacktrace(), "TypeError", "x")
	f.Add("Error: x\n    at eval at f (https://shop.example/assets/app.3f9a1c2d.js:1:101), <anonymous>:1:1\nCaused by (errors[0]): y\n@https://shop.example/assets/app.3f9a1c2d.js:1:99999999999", "Error", "x")
	f.Fuzz(func(t *testing.T, text, typ, message string) {
		r := proc.symbolicateSafely(resource{service: "shop-web", release: "1.4.2", language: "webjs"}, typ, message, text)
		if r.Status == "" {
			t.Fatal("no status")
		}
		if r.Stacktrace != "" && strings.Count(r.Stacktrace, "\n") != strings.Count(text, "\n") {
			t.Fatalf("lines changed: %q → %q", text, r.Stacktrace)
		}
		_ = fingerprint.Of(typ, message, r.Frames)
	})
}

// BenchmarkSymbolicate: one 3-frame browser stack mapped, the same error again (from the result cache, as
// repeats of one error are) and a stack never seen (every frame looked up, source context cut).
func BenchmarkSymbolicate(b *testing.B) {
	root := b.TempDir()
	bd := builds[0]
	p, _ := sourcemaps.NewStore(root, 1<<30).Path("shop-web", "1.4.2", bd.url)
	_ = os.MkdirAll(filepath.Dir(p), 0o755)
	_ = os.WriteFile(p, bd.mapJSON(), 0o644)
	_ = os.WriteFile(sourcemaps.IndexPath(p), []byte(index), 0o644)
	proc, err := newFaultlineProcessor(symbolicationConfig(root), processortest.NewNopSettings(Type))
	if err != nil {
		b.Fatal(err)
	}
	res := resource{service: "shop-web", release: "1.4.2", language: "webjs"}
	b.Run("repeated", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if r := proc.symbolicateSafely(res, "TypeError", "x "+strconv.Itoa(i), bd.stacktrace()); r.Status != "mapped" {
				b.Fatal(r.Status)
			}
		}
	})
	b.Run("never seen", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			text := bd.stacktrace() + "\n    at z (https://cdn.example/x.js:1:" + strconv.Itoa(i+1) + ")"
			if r := proc.symbolicateSafely(res, "TypeError", "x", text); r.Status != "partial" {
				b.Fatal(r.Status)
			}
		}
	})
}

// BenchmarkProcessBrowserBatch: the whole processor (symbolication, redaction, fingerprint) on a batch of
// 100 browser exception spans of two builds, maps warm, against the same batch with symbolication off.
func BenchmarkProcessBrowserBatch(b *testing.B) {
	root := b.TempDir()
	for _, bd := range builds {
		p, _ := sourcemaps.NewStore(root, 1<<30).Path("shop-web", "1.4.2", bd.url)
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		_ = os.WriteFile(p, bd.mapJSON(), 0o644)
		_ = os.WriteFile(sourcemaps.IndexPath(p), []byte(index), 0o644)
	}
	batch := ptrace.NewTraces()
	for i := 0; i < 100; i++ {
		one := browserSpan("1.4.2", "webjs", builds[i%2].stacktrace(), "0123456789abcdef")
		onlySpan(one).Events().At(0).Attributes().PutStr("exception.message", "Cannot read properties of undefined (reading 'item"+strconv.Itoa(i%7)+"')")
		one.ResourceSpans().MoveAndAppendTo(batch.ResourceSpans())
	}
	for _, tc := range []struct{ name, store string }{{"maps warm", root}, {"symbolication off", ""}} {
		cfg := createDefaultConfig().(*Config)
		cfg.Symbolication.Store = tc.store
		p, err := newFaultlineProcessor(cfg, processortest.NewNopSettings(Type))
		require.NoError(b, err)
		b.Run(tc.name, func(b *testing.B) {
			for i := 0; i <= b.N; i++ {
				c := ptrace.NewTraces()
				batch.CopyTo(c)
				if i == 0 {
					b.ResetTimer() // the first batch loads the maps
				}
				_, _ = p.processTraces(context.Background(), c)
			}
			b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "spans/s")
		})
	}
}

// Exceptions sent as log records (faultline's agents with OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN=logs, or any
// SDK's) get what exception events get; other log records are left alone. (Other SDKs' records are marked:
// TestOtherSDKsExceptionLogRecordsAreMarked.)
func TestExceptionLogRecordsAreSymbolicatedAndMarkedToo(t *testing.T) {
	root := t.TempDir()
	b := builds[0]
	upload(t, root, "shop-web", "1.4.2", b.url, b.mapJSON(), true)
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "shop-web")
	rl.Resource().Attributes().PutStr("service.version", "1.4.2")
	rl.Resource().Attributes().PutStr("telemetry.sdk.language", "webjs")
	records := rl.ScopeLogs().AppendEmpty().LogRecords()
	exc := records.AppendEmpty()
	exc.SetEventName("exception")
	exc.Attributes().PutStr("exception.type", "TypeError")
	exc.Attributes().PutStr("exception.message", "Cannot read properties of undefined (reading 'reduce')")
	exc.Attributes().PutStr("exception.stacktrace", b.stacktrace())
	exc.Attributes().PutStr("faultline.fingerprint", "agent00000000000")
	exc.Attributes().PutStr("faultline.mechanism", "onerror")
	plain := records.AppendEmpty()
	plain.Body().SetStr("user clicked checkout")

	sink := new(consumertest.LogsSink)
	p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(Type), symbolicationConfig(root), sink)
	require.NoError(t, err)
	require.NoError(t, p.ConsumeLogs(context.Background(), ld))
	out := sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	attrs := out.At(0).Attributes()
	assert.Equal(t, "mapped", attr(attrs, "faultline.symbolication"))
	assert.Contains(t, attr(attrs, "exception.stacktrace"), "at Cart.total (src/cart.js:3:23)")
	assert.Equal(t, "<absent>", attr(attrs, "faultline.exception"), "faultline's own report is not marked")
	span := onlySpan(runTraces(t, symbolicationConfig(root), browserSpan("1.4.2", "webjs", b.stacktrace(), "agent00000000000")))
	assert.Equal(t, attr(span.Attributes(), "faultline.fingerprint"), attr(attrs, "faultline.fingerprint"), "as the same exception as a span event")
	assert.Equal(t, 0, out.At(1).Attributes().Len())
}

func TestOtherSDKsExceptionLogRecordsAreMarked(t *testing.T) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("telemetry.sdk.language", "python")
	rec := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	rec.Attributes().PutStr("exception.type", "ValueError")
	rec.Attributes().PutStr("exception.message", "bad order 12")
	sink := new(consumertest.LogsSink)
	p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(Type), createDefaultConfig(), sink)
	require.NoError(t, err)
	require.NoError(t, p.ConsumeLogs(context.Background(), ld))
	attrs := sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes()
	assert.Equal(t, "true", attr(attrs, "faultline.exception"))
	assert.Equal(t, fingerprint.Of("ValueError", "bad order 12", nil), attr(attrs, "faultline.fingerprint"))
}
