package stack

import (
	"regexp"
	"strings"
)

// Stack formats of the other languages whose OpenTelemetry SDKs record `exception` events, so that their
// exceptions get a fingerprint computed the way core computes one (the frames' function and file, the
// in-app ones first). Each parser returns the frames of the exception recorded, innermost first.

// ForLanguage parses a stack trace by the SDK's telemetry.sdk.language; nil for languages it does not know.
func ForLanguage(language, typ, message, stacktrace string) []Frame {
	if len(stacktrace) > MaxStackInput {
		stacktrace = stacktrace[:MaxStackInput]
	}
	switch language {
	case "webjs", "nodejs", "javascript":
		return JavaScriptFrames(typ, message, stacktrace)
	case "python":
		return parsePython(stacktrace)
	case "java", "kotlin", "scala":
		return parseJava(stacktrace)
	case "go":
		return parseGo(stacktrace)
	case "dotnet":
		return parseDotNet(stacktrace)
	}
	return nil
}

var pythonFrame = regexp.MustCompile(`^\s*File "([^"]*)", line ([0-9]{1,9}), in (\S+)\s*$`)

// parsePython reads a traceback (`File "/app/x.py", line 3, in handler`, innermost last). With a chain
// ("During handling of the above exception..."), the last traceback is the exception recorded.
func parsePython(text string) []Frame {
	var frames []Frame
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "Traceback (most recent call last)") {
			frames = frames[:0]
			continue
		}
		m := pythonFrame.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		f := Frame{Function: m[3], HasFunc: true, File: m[1], HasFile: m[1] != "", Line: atoi(m[2])}
		f.InApp = !strings.Contains(f.File, "/site-packages/") && !strings.Contains(f.File, "/dist-packages/") &&
			!strings.Contains(f.File, "/lib/python") && !strings.HasPrefix(f.File, "<")
		frames = append(frames, f)
	}
	for i, j := 0, len(frames)-1; i < j; i, j = i+1, j-1 {
		frames[i], frames[j] = frames[j], frames[i]
	}
	return limit(frames)
}

var javaFrame = regexp.MustCompile(`^\s*at ([^\s(]+)\(([^)]*)\)\s*$`)

var jvmRuntime = []string{"java.", "javax.", "jdk.", "sun.", "com.sun.", "kotlin.", "kotlinx.", "scala.", "io.opentelemetry."}

// parseJava reads a JVM stack (`\tat com.shop.Cart.total(Cart.java:42)`) down to its first `Caused by:`.
func parseJava(text string) []Frame {
	var frames []Frame
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "Caused by:") {
			break
		}
		m := javaFrame.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		fn := m[1]
		if i := strings.LastIndexByte(fn, '/'); i >= 0 {
			fn = fn[i+1:] // `java.base/java.lang.Thread.run`: the module is not the function
		}
		f := Frame{Function: fn, HasFunc: true, InApp: true}
		if file, line, ok := strings.Cut(m[2], ":"); ok {
			f.File, f.HasFile, f.Line = file, true, atoi(line)
		} else if m[2] != "Native Method" && m[2] != "Unknown Source" {
			f.File, f.HasFile = m[2], m[2] != ""
		} else {
			f.Native = m[2] == "Native Method"
		}
		for _, p := range jvmRuntime {
			if strings.HasPrefix(fn, p) {
				f.InApp = false
			}
		}
		f.InApp = f.InApp && !f.Native
		frames = append(frames, f)
	}
	return limit(frames)
}

var goLocation = regexp.MustCompile(`^\t(\S+\.go):([0-9]{1,9})(?: \+0x[0-9a-f]+)?$`)

// parseGo reads a goroutine dump (debug.Stack(), a panic): a function line, then `\t/path/file.go:12 +0x1d`.
func parseGo(text string) []Frame {
	var frames []Frame
	lines := strings.Split(text, "\n")
	for i := 1; i < len(lines); i++ {
		m := goLocation.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		fn := strings.TrimSpace(lines[i-1])
		if j := strings.LastIndexByte(fn, '('); j > 0 {
			fn = fn[:j]
		}
		f := Frame{Function: fn, HasFunc: fn != "", File: m[1], HasFile: true, Line: atoi(m[2])}
		f.InApp = !strings.HasPrefix(fn, "runtime.") && !strings.HasPrefix(fn, "runtime/debug.") &&
			!strings.Contains(f.File, "/go/src/") && !strings.Contains(f.File, "/pkg/mod/") &&
			!strings.HasPrefix(fn, "go.opentelemetry.io/")
		frames = append(frames, f)
	}
	return limit(frames)
}

var dotnetFrame = regexp.MustCompile(`^\s*at (.+?)(?: in (.+):line ([0-9]{1,9}))?\s*$`)

// parseDotNet reads a .NET stack (`   at Shop.Cart.Total() in /src/Cart.cs:line 42`) down to its first
// `--- End of inner exception stack trace ---`.
func parseDotNet(text string) []Frame {
	var frames []Frame
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, "--- End of inner exception stack trace ---") {
			frames = frames[:0] // the inner exception's frames came first: the outer one's follow
			continue
		}
		m := dotnetFrame.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		fn := m[1]
		if j := strings.IndexByte(fn, '('); j > 0 {
			fn = fn[:j]
		}
		f := Frame{Function: fn, HasFunc: true, File: m[2], HasFile: m[2] != "", Line: atoi(m[3])}
		f.InApp = !strings.HasPrefix(fn, "System.") && !strings.HasPrefix(fn, "Microsoft.")
		frames = append(frames, f)
	}
	return limit(frames)
}

func limit(frames []Frame) []Frame {
	if len(frames) > MaxFrames {
		return frames[:MaxFrames]
	}
	return frames
}
