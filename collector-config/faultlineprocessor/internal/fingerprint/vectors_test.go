package fingerprint

import (
	"encoding/json"
	"os"
	"testing"

	"faultline.local/faultlineprocessor/internal/stack"
)

// The shared vectors (testdata/fingerprint-vectors.json, written from core by
// scripts/generate-fingerprint-vectors.mjs), run here exactly as core's fingerprint-vectors.test.ts runs them.
type vectorFile struct {
	Frames []struct {
		Name    string `json:"name"`
		Type    string `json:"type"`
		Message string `json:"message"`
		Frames  []struct {
			Function *string `json:"function"`
			File     *string `json:"file"`
			InApp    bool    `json:"inApp"`
			Native   bool    `json:"native"`
		} `json:"frames"`
		Fingerprint string `json:"fingerprint"`
	} `json:"frames"`
	Stacks []struct {
		Name        string `json:"name"`
		Type        string `json:"type"`
		Message     string `json:"message"`
		Stacktrace  string `json:"stacktrace"`
		Fingerprint string `json:"fingerprint"`
	} `json:"stacks"`
}

func loadVectors(t testing.TB) vectorFile {
	raw, err := os.ReadFile("../../testdata/fingerprint-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectorFile
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestFrameVectorsGiveCoresFingerprint(t *testing.T) {
	v := loadVectors(t)
	if len(v.Frames) < 10 {
		t.Fatalf("only %d frame vectors", len(v.Frames))
	}
	for _, c := range v.Frames {
		frames := make([]stack.Frame, len(c.Frames))
		for i, f := range c.Frames {
			if f.Function != nil {
				frames[i].Function, frames[i].HasFunc = *f.Function, true
			}
			if f.File != nil {
				frames[i].File, frames[i].HasFile = *f.File, true
			}
			frames[i].InApp, frames[i].Native = f.InApp, f.Native
		}
		if got := Of(c.Type, c.Message, frames); got != c.Fingerprint {
			t.Errorf("%s: fingerprint %s, core says %s (normalized message %q)", c.Name, got, c.Fingerprint, NormalizeMessage(c.Message))
		}
	}
}

func TestStackVectorsGiveTheAgentsFingerprint(t *testing.T) {
	v := loadVectors(t)
	if len(v.Stacks) < 85 {
		t.Fatalf("only %d stack vectors", len(v.Stacks))
	}
	for _, c := range v.Stacks {
		frames := stack.JavaScriptFrames(c.Type, c.Message, c.Stacktrace)
		if got := Of(c.Type, c.Message, frames); got != c.Fingerprint {
			t.Errorf("%s: fingerprint %s, the agent sent %s; frames %+v", c.Name, got, c.Fingerprint, frames)
		}
	}
}
