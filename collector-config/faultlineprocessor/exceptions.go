package faultlineprocessor // import "faultline.local/faultlineprocessor"

import (
	"fmt"
	"sync/atomic"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
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
	attrMechanism         = "faultline.mechanism"
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
	first := true
	events := span.Events()
	for i := 0; i < events.Len(); i++ {
		if events.At(i).Name() != exceptionEvent {
			continue
		}
		status, callSite, ok := p.symbolicateException(res, events.At(i).Attributes())
		if status != "" && first {
			first = false
			span.Attributes().PutStr(attrSymbolication, status)
		}
		if ok {
			if found == nil {
				found = symbolicated{}
			}
			found[i] = callSite
		}
	}
	return found
}

// symbolicateException maps one exception's attributes (a span event's or a log record's) in place: the
// status ("" when there is no stack), and the original frames' call site when they were found.
func (p *faultlineProcessor) symbolicateException(res resource, attrs pcommon.Map) (status, callSite string, found bool) {
	text := strAttr(attrs, attrStacktrace)
	if text == "" {
		return "", "", false
	}
	r := p.symbolicateSafely(res, strAttr(attrs, "exception.type"), strAttr(attrs, "exception.message"), text)
	attrs.PutStr(attrSymbolication, r.Status)
	if r.Error != "" {
		attrs.PutStr(attrSymbolicationErr, r.Error)
	}
	if r.Stacktrace == "" {
		return r.Status, "", false
	}
	attrs.PutStr(attrStacktraceMinifed, text)
	attrs.PutStr(attrStacktrace, r.Stacktrace)
	if r.Context != "" {
		attrs.PutStr(attrSourceContext, r.Context)
	}
	return r.Status, r.CallSite, true
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

// markExceptions runs after redaction: every span with an exception event of another SDK gets
// faultline.exception=true and a faultline.fingerprint computed as core computes it. An event that
// faultline's agent made (it carries faultline.mechanism) is an error report already: on the agent's own
// `exception` span, or a copy on the span that was active, which the view never counts; so is any span
// named `exception` with a fingerprint. Those are not marked, and keep their fingerprint, unless
// symbolication found the original frames: then it is recomputed from them, so that two builds of the same
// code group together.
func (p *faultlineProcessor) markExceptions(res resource, span ptrace.Span, found symbolicated) {
	events := span.Events()
	marked := false
	// A span named `exception` that carries a fingerprint is a report in faultline's shape, whoever sent it:
	// the view reads those by name, so a mark would make it read them twice.
	_, hasFingerprint := span.Attributes().Get(attrFingerprint)
	report := span.Name() == exceptionEvent && hasFingerprint
	for i := 0; i < events.Len(); i++ {
		if events.At(i).Name() != exceptionEvent {
			continue
		}
		attrs := events.At(i).Attributes()
		_, agentMade := attrs.Get(attrMechanism)
		agentMade = agentMade || report
		callSite, ok := found[i]
		if agentMade && !ok {
			continue
		}
		_, spanHas := span.Attributes().Get(attrFingerprint)
		fp := p.fingerprintException(res, attrs, callSite, ok, spanHas)
		// The span's own fingerprint is the report's: on faultline's exception span, or on a marked one.
		if fp != "" && (!agentMade || span.Name() == exceptionEvent) {
			span.Attributes().PutStr(attrFingerprint, fp)
		}
		marked = marked || !agentMade
	}
	if marked {
		span.Attributes().PutBool(attrException, true)
	}
}

// fingerprintException sets one exception's fingerprint (an event's or a log record's attributes): from the
// original frames when symbolication found them, else computed unless one is there already (keep). Returns
// the fingerprint it set, or "".
func (p *faultlineProcessor) fingerprintException(res resource, attrs pcommon.Map, callSite string, symbolicated, keep bool) string {
	typ, message := strAttr(attrs, "exception.type"), strAttr(attrs, "exception.message")
	if symbolicated {
		fp := fingerprint.FromCallSite(typ, message, callSite)
		attrs.PutStr(attrFingerprint, fp)
		return fp
	}
	if keep {
		return ""
	}
	if existing := strAttr(attrs, attrFingerprint); existing != "" {
		return existing
	}
	fp := p.fingerprintSafely(res.language, typ, message, strAttr(attrs, attrStacktrace))
	attrs.PutStr(attrFingerprint, fp)
	p.counts.fingerprinted.Add(1)
	return fp
}

// isExceptionRecord: a log record of an exception (OpenTelemetry's exception event as a log record, as
// faultline's agents send with OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN=logs, or any SDK's).
func isExceptionRecord(rec plog.LogRecord) bool {
	if rec.EventName() == exceptionEvent {
		return true
	}
	_, typ := rec.Attributes().Get("exception.type")
	_, st := rec.Attributes().Get(attrStacktrace)
	return typ || st
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
