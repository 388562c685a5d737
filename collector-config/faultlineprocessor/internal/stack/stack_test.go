package stack

import (
	"strings"
	"testing"
)

// FuzzParse: any text, in any language's format, parses without a panic into at most MaxFrames frames,
// none with an empty file name. (The shared fingerprint vectors check the frames themselves against core.)
func FuzzParse(f *testing.F) {
	f.Add("TypeError: x\n    at a (https://x/app.js:1:2)\n    at async Promise.all (index 0)\n    at eval at f (https://x/a.js:1:2), <anonymous>:1:1", "webjs")
	f.Add("f@https://x/a.js:1:2\n@https://x/a.js line 2 > eval:1:30\n[native code]", "webjs")
	f.Add("Traceback (most recent call last):\n  File \"/a.py\", line 1, in f\nValueError: x", "python")
	f.Add("java.lang.Error: x\n\tat a.B.c(B.java:1)\n\tat a.B.d(Native Method)\nCaused by: x", "java")
	f.Add("goroutine 1 [running]:\nmain.f(0x1)\n\t/a.go:1 +0x1", "go")
	f.Add("System.Exception: x\n   at A.B() in /a.cs:line 1\n--- End of inner exception stack trace ---", "dotnet")
	f.Add("Traceback (most recent call last):\n  File \"\", line 1, in f", "python")
	f.Fuzz(func(t *testing.T, text, language string) {
		frames := ForLanguage(language, "Error", "x", text)
		if len(frames) > MaxFrames {
			t.Fatalf("%d frames", len(frames))
		}
		for _, fr := range frames {
			if fr.HasFile && fr.File == "" {
				t.Fatalf("empty file in %+v", fr)
			}
		}
		_ = ParseJavaScript(strings.Repeat(text, 3))
	})
}
