package faultlineprocessor

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"
)

type corpus struct {
	Secrets []struct {
		Kind, Value string
		Secrets     []string
	} `json:"secrets"`
	Lookalikes []struct{ Kind, Value string } `json:"lookalikes"`
	DeniedKeys map[string]string              `json:"deniedKeys"`
}

func loadCorpus(t *testing.T) corpus {
	raw, err := os.ReadFile(filepath.Join("testdata", "redaction-corpus.json"))
	require.NoError(t, err)
	var c corpus
	require.NoError(t, json.Unmarshal(raw, &c))
	return c
}

func runTraces(t *testing.T, cfg *Config, td ptrace.Traces) ptrace.Traces {
	sink := new(consumertest.TracesSink)
	p, err := NewFactory().CreateTraces(context.Background(), processortest.NewNopSettings(Type), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.ConsumeTraces(context.Background(), td))
	require.Len(t, sink.AllTraces(), 1)
	return sink.AllTraces()[0]
}

// One exception span the way any SDK sends it, with value placed everywhere the processor looks.
func exceptionSpan(sdk, value string) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("telemetry.sdk.name", sdk)
	rs.Resource().Attributes().PutStr("app.resource_note", value)
	span := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetName("exception")
	span.Status().SetMessage("Error: " + value)
	span.Attributes().PutStr("app.note", value)
	span.Attributes().PutStr("faultline.fingerprint", "4111111111111111")
	span.Attributes().PutStr("session.id", "5105105105105100")
	span.Attributes().PutEmptySlice("app.tags").AppendEmpty().SetStr(value)
	span.Attributes().PutEmptyMap("app.nested").PutStr("inner", value)
	ev := span.Events().AppendEmpty()
	ev.SetName("exception")
	ev.Attributes().PutStr("exception.message", value)
	ev.Attributes().PutStr("exception.stacktrace", "Error: "+value+"\n    at handler (/srv/app/index.js:10:5)")
	ev.Attributes().PutStr("faultline.fingerprint", "4111111111111111")
	span.Links().AppendEmpty().Attributes().PutStr("app.link_note", value)
	return td
}

func allStrings(td ptrace.Traces) string {
	b, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	return string(b)
}

// Every span gets every rule: a resource that says it is a faultline agent is redacted like any other
// (issue 10, item 9: the telemetry.sdk.name shortcut of the OTTL configuration is gone).
func TestEverySecretGoesWhateverTheSDKSays(t *testing.T) {
	c := loadCorpus(t)
	for _, sdk := range []string{"opentelemetry", "faultline"} {
		for _, s := range c.Secrets {
			out := runTraces(t, createDefaultConfig().(*Config), exceptionSpan(sdk, "BEFORE "+s.Value+" AFTER"))
			stored := allStrings(out)
			for _, secret := range s.Secrets {
				b, _ := json.Marshal(secret)
				assert.NotContains(t, stored, strings.Trim(string(b), `"`), "%s from %s", s.Kind, sdk)
			}
			span := out.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
			fp, _ := span.Attributes().Get("faultline.fingerprint")
			assert.Equal(t, "4111111111111111", fp.Str(), "the fingerprint is protected")
			sid, _ := span.Attributes().Get("session.id")
			assert.Equal(t, "5105105105105100", sid.Str(), "the session id is protected")
			evfp, _ := span.Events().At(0).Attributes().Get("faultline.fingerprint")
			assert.Equal(t, "4111111111111111", evfp.Str())
		}
	}
}

func TestLookalikesComeThroughUnchanged(t *testing.T) {
	c := loadCorpus(t)
	for _, l := range c.Lookalikes {
		in := exceptionSpan("opentelemetry", l.Value)
		want := allStrings(in)
		assert.Equal(t, want, allStrings(runTraces(t, createDefaultConfig().(*Config), in)), l.Kind)
	}
}

func TestDeniedKeysAreReplacedWhole(t *testing.T) {
	c := loadCorpus(t)
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	ev := span.Events().AppendEmpty()
	for k, v := range c.DeniedKeys {
		span.Attributes().PutStr(k, v)
		ev.Attributes().PutStr(k, v)
	}
	span.Attributes().PutInt("card.cvv", 123)
	out := runTraces(t, createDefaultConfig().(*Config), td)
	got := out.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	for k := range c.DeniedKeys {
		v, _ := got.Attributes().Get(k)
		assert.Equal(t, "[REDACTED]", v.AsString(), k)
		ev, _ := got.Events().At(0).Attributes().Get(k)
		assert.Equal(t, "[REDACTED]", ev.AsString(), k)
	}
	cvv, _ := got.Attributes().Get("card.cvv")
	assert.Equal(t, "[REDACTED]", cvv.AsString(), "a number under a denied key goes too")
}

func TestConfiguredKeysAndDisabledRules(t *testing.T) {
	cfg := &Config{Redaction: RedactionConfig{
		DenyKeys: []string{"pin"}, ProtectedKeys: []string{"app.build_id"}, DisabledRules: []string{"ipv4"},
	}}
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.Attributes().PutStr("app.pin", "1234")
	span.Attributes().PutStr("app.build_id", "ann@example.com")
	span.Attributes().PutStr("client", "203.0.113.42 ann@example.com")
	got := runTraces(t, cfg, td).ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
	pin, _ := got.Get("app.pin")
	assert.Equal(t, "[REDACTED]", pin.Str())
	build, _ := got.Get("app.build_id")
	assert.Equal(t, "ann@example.com", build.Str())
	client, _ := got.Get("client")
	assert.Equal(t, "203.0.113.42 [REDACTED:email]", client.Str())
}

func TestURLAttributesLoseCredentialParameters(t *testing.T) {
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.Attributes().PutStr("url.full", "https://shop.example/cb?code=xyz&page=2")
	got := runTraces(t, createDefaultConfig().(*Config), td).ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	u, _ := got.Attributes().Get("url.full")
	assert.Equal(t, "https://shop.example/cb?code=[REDACTED]&page=2", u.Str())
}

func TestLogRecordsBodiesAndAttributes(t *testing.T) {
	ld := plog.NewLogs()
	rec := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	rec.Body().SetStr("login failed for ann@example.com")
	rec.Attributes().PutStr("exception.message", "password=hunter2 rejected")
	rec.Attributes().PutStr("faultline.fingerprint", "4111111111111111")
	sink := new(consumertest.LogsSink)
	p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(Type), createDefaultConfig(), sink)
	require.NoError(t, err)
	require.NoError(t, p.ConsumeLogs(context.Background(), ld))
	got := sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	assert.Equal(t, "login failed for [REDACTED:email]", got.Body().Str())
	msg, _ := got.Attributes().Get("exception.message")
	assert.Equal(t, "password=[REDACTED] rejected", msg.Str())
	fp, _ := got.Attributes().Get("faultline.fingerprint")
	assert.Equal(t, "4111111111111111", fp.Str())
}

// A failure inside redaction (a bug, simulated here) costs the value, fail closed, never the batch.
func TestAFailingRedactionReplacesTheValueAndTheBatchGoesOn(t *testing.T) {
	p, err := newFaultlineProcessor(createDefaultConfig().(*Config), processortest.NewNopSettings(Type))
	require.NoError(t, err)
	out := p.safely("ann@example.com", func(string) string { panic("boom") })
	assert.Equal(t, "[REDACTED]", out)
	assert.Equal(t, int64(1), p.failures.Load())
	td, err := p.processTraces(context.Background(), exceptionSpan("x", "ann@example.com"))
	require.NoError(t, err)
	assert.NotContains(t, allStrings(td), "ann@example.com")
}

// The README's example is the file the tests load.
func TestReadmeShowsTestdataConfig(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	cfg, err := os.ReadFile(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	assert.Contains(t, string(readme), string(cfg))
}

// Typical exception spans, as the collector benchmark sends them: nothing to redact in most values.
func typicalBatch(unique bool) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "checkout")
	rs.Resource().Attributes().PutStr("telemetry.sdk.name", "opentelemetry")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i := 0; i < 100; i++ {
		n := 0
		if unique {
			n = i
		}
		stack := fmt.Sprintf("TypeError: order 12-%d failed for [REDACTED:email] (card [REDACTED:card])\n", n) +
			strings.Repeat(fmt.Sprintf("    at handler%d (/srv/app/node_modules/express/lib/router/layer.js:95:5)\n", n), 10)
		s := spans.AppendEmpty()
		s.SetName("exception")
		s.Status().SetMessage(fmt.Sprintf("TypeError: order 12-%d failed", n))
		s.Attributes().PutStr("url.full", fmt.Sprintf("https://shop.example/checkout?token=[REDACTED]&step=%d", n))
		s.Attributes().PutStr("faultline.fingerprint", "0123456789abcdef")
		ev := s.Events().AppendEmpty()
		ev.Attributes().PutStr("exception.type", "TypeError")
		ev.Attributes().PutStr("exception.message", fmt.Sprintf("order 12-%d failed for [REDACTED:email]", n))
		ev.Attributes().PutStr("exception.stacktrace", stack)
	}
	return td
}

func BenchmarkProcessTraces(b *testing.B) {
	p, err := newFaultlineProcessor(createDefaultConfig().(*Config), processortest.NewNopSettings(Type))
	require.NoError(b, err)
	for _, tc := range []struct {
		name   string
		unique bool
	}{{"repeated values (cache hits)", false}, {"every value new (no cache hit)", true}} {
		td := typicalBatch(tc.unique)
		b.Run(tc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				c := ptrace.NewTraces()
				td.CopyTo(c)
				if tc.unique {
					p.cache = newRedactionCache()
				}
				_, _ = p.processTraces(context.Background(), c)
			}
			b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "spans/s")
		})
	}
}
