package faultlineprocessor // import "faultline.local/faultlineprocessor"

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.uber.org/zap"

	"faultline.local/faultlineprocessor/internal/redaction"
	"faultline.local/faultlineprocessor/internal/sourcemaps"
	"faultline.local/faultlineprocessor/internal/symbolication"
)

// faultlineProcessor redacts every span and log record the same way, whatever its resource says it is:
// resource, span, span-event and link attributes, the span name and status message, log attributes and
// bodies. What the client declares (telemetry.sdk.name...) changes nothing to redaction. Around it, for
// spans (exceptions.go): browser stacks are symbolicated before redaction (so that what the maps add is
// redacted too), and every exception event is marked and fingerprinted after it.
type faultlineProcessor struct {
	rules  *redaction.Rules
	cache  *redactionCache
	logger *zap.Logger
	// symbolicator is nil when no store is configured.
	symbolicator *symbolication.Symbolicator
	maps         *sourcemaps.Cache
	counts       exceptionCounts
	// failures counts values whose redaction failed (a bug in a rule or a check, never the data's fault):
	// such a value is replaced whole, fail closed, and the batch goes on.
	failures atomic.Int64
}

func newFaultlineProcessor(cfg *Config, set processor.Settings) (*faultlineProcessor, error) {
	rules, err := redaction.Compile(rulesJSON, redaction.Options{
		DenyKeys:      cfg.Redaction.DenyKeys,
		ProtectedKeys: cfg.Redaction.ProtectedKeys,
		DisabledRules: cfg.Redaction.DisabledRules,
	})
	if err != nil {
		return nil, err
	}
	p := &faultlineProcessor{rules: rules, cache: newRedactionCache(), logger: set.Logger}
	if sym := cfg.Symbolication; sym.Store != "" {
		store := sourcemaps.NewStore(sym.Store, sym.MaxMapBytes)
		p.maps = sourcemaps.NewCache(store, sym.CacheMaxBytes, sym.CacheTTL)
		p.symbolicator = symbolication.New(store, p.maps, sym.SourceContextLines, sym.CacheTTL)
		if _, err := os.Stat(sym.Store); err != nil {
			// Not fatal: maps may be uploaded later; until then spans pass with faultline.symbolication=no_map.
			set.Logger.Warn("faultline processor: the source-map store is not readable yet", zap.String("store", sym.Store), zap.Error(err))
		}
	}
	return p, nil
}

func (p *faultlineProcessor) processTraces(_ context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		rs := td.ResourceSpans().At(i)
		// Read before redaction: a release such as 1.2.3.4 looks like an address to the rules.
		res := resourceOf(rs.Resource().Attributes())
		p.attributes(rs.Resource().Attributes())
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			spans := rs.ScopeSpans().At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				span := spans.At(k)
				found := p.symbolicate(res, span)
				p.span(span)
				p.markExceptions(res, span, found)
			}
		}
	}
	return td, nil
}

func (p *faultlineProcessor) span(span ptrace.Span) {
	p.attributes(span.Attributes())
	if name := span.Name(); name != "" {
		if out := p.text(name); out != name {
			span.SetName(out)
		}
	}
	if msg := span.Status().Message(); msg != "" {
		if out := p.text(msg); out != msg {
			span.Status().SetMessage(out)
		}
	}
	events := span.Events()
	for i := 0; i < events.Len(); i++ {
		p.attributes(events.At(i).Attributes())
	}
	links := span.Links()
	for i := 0; i < links.Len(); i++ {
		p.attributes(links.At(i).Attributes())
	}
}

func (p *faultlineProcessor) processLogs(_ context.Context, ld plog.Logs) (plog.Logs, error) {
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		rl := ld.ResourceLogs().At(i)
		res := resourceOf(rl.Resource().Attributes())
		p.attributes(rl.Resource().Attributes())
		for j := 0; j < rl.ScopeLogs().Len(); j++ {
			records := rl.ScopeLogs().At(j).LogRecords()
			for k := 0; k < records.Len(); k++ {
				rec := records.At(k)
				// An exception as a log record gets what an exception event gets (exceptions.go).
				exception := isExceptionRecord(rec)
				callSite, found := "", false
				if exception && p.symbolicator != nil && res.language == "webjs" {
					_, callSite, found = p.symbolicateException(res, rec.Attributes())
				}
				p.attributes(rec.Attributes())
				p.value("", rec.Body())
				// A record of faultline's agents is a report already (see markExceptions).
				if _, agentMade := rec.Attributes().Get(attrMechanism); exception && (!agentMade || found) {
					p.fingerprintException(res, rec.Attributes(), callSite, found, false)
				}
				if _, agentMade := rec.Attributes().Get(attrMechanism); exception && !agentMade {
					rec.Attributes().PutBool(attrException, true)
				}
			}
		}
	}
	return ld, nil
}

func (p *faultlineProcessor) attributes(attrs pcommon.Map) {
	attrs.Range(func(key string, v pcommon.Value) bool {
		switch {
		case p.rules.IsProtected(key):
		case p.rules.IsDenied(key):
			v.SetStr(p.rules.Replacement())
		default:
			p.value(key, v)
		}
		return true
	})
}

// value redacts one value in place: strings by the rules (URLs by their query parameters too), maps by
// key, slices element by element. Numbers and booleans are left as they are.
func (p *faultlineProcessor) value(key string, v pcommon.Value) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		in := v.Str()
		var out string
		switch {
		case key == "exception.stacktrace":
			out = p.stacktrace(in)
		case key != "" && p.rules.IsURLKey(key):
			out = p.cache.get(in, func(s string) string { return p.safely(s, p.rules.URL) })
		default:
			out = p.text(in)
		}
		if out != in {
			v.SetStr(out)
		}
	case pcommon.ValueTypeMap:
		p.attributes(v.Map())
	case pcommon.ValueTypeSlice:
		s := v.Slice()
		for i := 0; i < s.Len(); i++ {
			p.value("", s.At(i))
		}
	}
}

func (p *faultlineProcessor) text(s string) string {
	return p.cache.get(s, func(s string) string { return p.safely(s, p.rules.Text) })
}

// stacktrace redacts the "Type: message" part and the frames apart, as core's scrubber does: the frames
// repeat with every error thrown from the same place, and come from the cache.
func (p *faultlineProcessor) stacktrace(s string) string {
	if i := strings.Index(s, "\n    at "); i >= 0 {
		return p.text(s[:i]) + p.text(s[i:])
	}
	return p.text(s)
}

// safely runs one redaction; a panic (a bug, never expected) costs that value, not the batch.
func (p *faultlineProcessor) safely(s string, redact func(string) string) (out string) {
	defer func() {
		if r := recover(); r != nil {
			p.failures.Add(1)
			p.logger.Warn("faultline processor: redaction failed, value replaced whole", zap.String("error", fmt.Sprint(r)))
			out = p.rules.Replacement()
		}
	}()
	return redact(s)
}
