package faultlineprocessor // import "faultline.local/faultlineprocessor"

import (
	"fmt"
	"sync/atomic"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"

	"faultline.local/faultlineprocessor/internal/fingerprint"
	"faultline.local/faultlineprocessor/internal/stack"
	"faultline.local/faultlineprocessor/internal/symbolication"
)

// Attributes the processor writes (README: "Exceptions").
const (
	attrException         = "faultline.exception"
	attrFingerprint       = "faultline.fingerprint"
	attrSymbolication     = "faultline.symbolication"
	attrSymbolicationErr  = "faultline.symbolication.error"
	attrSourceContext     = "faultline.source_context"
	attrStacktrace        = "exception.stacktrace"
	attrStacktraceMinifed = "exception.stacktrace.minified"
	exceptionEvent        = "exception"
)

// exceptionCounts are what happened to exception events, by outcome (tests and logs read them).
type exceptionCounts struct {
	mapped, partial, noMap, badMap, failed atomic.Int64
	fingerprinted                          atomic.Int64
}

// resource is what the processor needs of a resource, read before redaction.
type resource struct {
	service, release, language string
}

func resourceOf(attrs pcommon.Map) resource {
	str := func(k string) string {
		if v, ok := attrs.Get(k); ok && v.Type() == pcommon.ValueTypeStr {
			return v.Str()
		}
		return ""
	}
	return resource{service: str("service.name"), release: str("service.version"), language: str("telemetry.sdk.language")}
}

// symbolicated remembers, per exception event of a span, the call-site part of the original frames that
// symbolication found (fingerprint.CallSite).
type symbolicated map[int]string

// symbolicate maps the exception events of a browser SDK's span (telemetry.sdk.language "webjs", as
// faultline's browser agent and the OpenTelemetry JS web SDK declare) through the store. Node stacks and
// other SDKs' spans are left as they are.
func (p *faultlineProcessor) symbolicate(res resource, span ptrace.Span) symbolicated {
	if p.symbolicator == nil || res.language != "webjs" {
		return nil
	}
	var found symbolicated
	var first string
	events := span.Events()
	for i := 0; i < events.Len(); i++ {
		ev := events.At(i)
		if ev.Name() != exceptionEvent {
			continue
		}
		attrs := ev.Attributes()
		text := strAttr(attrs, attrStacktrace)
		if text == "" {
			continue
		}
		r := p.symbolicateSafely(res, strAttr(attrs, "exception.type"), strAttr(attrs, "exception.message"), text)
		attrs.PutStr(attrSymbolication, r.Status)
		if r.Error != "" {
			attrs.PutStr(attrSymbolicationErr, r.Error)
		}
		if first == "" {
			first = r.Status
			span.Attributes().PutStr(attrSymbolication, r.Status)
		}
		if r.Stacktrace == "" {
			continue
		}
		attrs.PutStr(attrStacktraceMinifed, text)
		attrs.PutStr(attrStacktrace, r.Stacktrace)
		if r.Context != "" {
			attrs.PutStr(attrSourceContext, r.Context)
		}
		if found == nil {
			found = symbolicated{}
		}
		found[i] = r.CallSite
	}
	return found
}

// symbolicateSafely: a bug (never expected; hostile maps are errors, not panics) costs that event's
// symbolication, counted and logged, and the span goes on unchanged.
func (p *faultlineProcessor) symbolicateSafely(res resource, typ, message, text string) (r symbolication.Result) {
	defer func() {
		if v := recover(); v != nil {
			p.counts.failed.Add(1)
			p.logger.Warn("faultline processor: symbolication failed, stack left as sent", zap.String("error", fmt.Sprint(v)))
			r = symbolication.Result{Status: symbolication.BadMap, Error: "internal error"}
		}
	}()
	r = p.symbolicator.Symbolicate(res.service, res.release, typ, message, text)
	switch r.Status {
	case symbolication.Mapped:
		p.counts.mapped.Add(1)
	case symbolication.Partial:
		p.counts.partial.Add(1)
	case symbolication.NoMap:
		p.counts.noMap.Add(1)
	case symbolication.BadMap:
		p.counts.badMap.Add(1)
	}
	return r
}

// markExceptions runs after redaction: every span with an exception event, from any SDK, gets
// faultline.exception=true and a faultline.fingerprint computed as core computes it. A fingerprint the
// agent sent is kept, unless symbolication found the original frames: then it is recomputed from them, so
// that two builds of the same code group together.
func (p *faultlineProcessor) markExceptions(res resource, span ptrace.Span, found symbolicated) {
	events := span.Events()
	marked := false
	for i := 0; i < events.Len(); i++ {
		ev := events.At(i)
		if ev.Name() != exceptionEvent {
			continue
		}
		attrs := ev.Attributes()
		typ, message := strAttr(attrs, "exception.type"), strAttr(attrs, "exception.message")
		if callSite, ok := found[i]; ok {
			fp := fingerprint.FromCallSite(typ, message, callSite)
			attrs.PutStr(attrFingerprint, fp)
			span.Attributes().PutStr(attrFingerprint, fp)
		} else if _, has := span.Attributes().Get(attrFingerprint); !has {
			fp := p.fingerprintSafely(res.language, typ, message, strAttr(attrs, attrStacktrace))
			if _, evHas := attrs.Get(attrFingerprint); !evHas {
				attrs.PutStr(attrFingerprint, fp)
			}
			span.Attributes().PutStr(attrFingerprint, fp)
			p.counts.fingerprinted.Add(1)
		}
		marked = true
	}
	if marked {
		span.Attributes().PutBool(attrException, true)
	}
}

// fingerprintSafely: the type and message alone if a stack cannot be read (never expected).
func (p *faultlineProcessor) fingerprintSafely(language, typ, message, text string) (fp string) {
	defer func() {
		if v := recover(); v != nil {
			p.counts.failed.Add(1)
			fp = fingerprint.Of(typ, message, nil)
		}
	}()
	return fingerprint.Of(typ, message, stack.ForLanguage(language, typ, message, text))
}

func strAttr(attrs pcommon.Map, key string) string {
	if v, ok := attrs.Get(key); ok && v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}
