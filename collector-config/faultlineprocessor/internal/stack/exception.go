package stack

import "strings"

// causeLabel starts each cause's section in the stack text core writes (`Caused by: `, `Caused by (errors[0]): `).
const causeLabel = "\nCaused by"

// Sections splits core's exception.stacktrace into the root's section and its causes' sections.
func Sections(text string) []string {
	var out []string
	for {
		i := strings.Index(text, causeLabel)
		if i < 0 || !(strings.HasPrefix(text[i+len(causeLabel):], ": ") || strings.HasPrefix(text[i+len(causeLabel):], " (")) {
			return append(out, text)
		}
		out = append(out, text[:i])
		text = text[i+1:]
	}
}

// JavaScriptBody is the part of a root section below its `Type: message` header: what core parsed its frames
// from (normalizeError parses below the header, so that a message line that looks like a frame is not one).
func JavaScriptBody(typ, message, section string) string {
	header := typ
	if message != "" {
		header = typ + ": " + message
	}
	if strings.HasPrefix(section, header) {
		return section[len(header):]
	}
	// The header carries the error's name, which may differ from its type (`class MyError extends Error`
	// keeps the name "Error"): a first line `Name: message`, or a bare `Name` when there is no message.
	if message != "" {
		if i := strings.Index(section, ": "+message); i > 0 && !strings.ContainsAny(section[:i], "\n ") {
			return section[i+2+len(message):]
		}
	} else if nl := strings.IndexByte(section, '\n'); nl > 0 && !strings.ContainsAny(section[:nl], " :") {
		return section[nl:]
	}
	return section
}

// JavaScriptFrames are the root error's frames of core's exception.stacktrace, as core parsed them: below
// the header, above the first cause, data: and blob: URLs cut.
func JavaScriptFrames(typ, message, stacktrace string) []Frame {
	frames := ParseJavaScript(JavaScriptBody(typ, message, Sections(stacktrace)[0]))
	for i := range frames {
		if frames[i].HasFile {
			frames[i].File = WithoutURLBody(frames[i].File)
		}
	}
	return frames
}
