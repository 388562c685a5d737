// Package sourcemaptest writes source maps for tests: segments in, a version 3 map out.
package sourcemaptest // import "faultline.local/faultlineprocessor/internal/sourcemaps/sourcemaptest"

import (
	"encoding/json"
	"strings"
)

// Seg is one segment of a test map: generated (line, column) → source index, original (line, column), name index
// (-1: none). Lines 1-based, columns 0-based, as in the format.
type Seg struct{ GenLine, GenCol, Src, Line, Col, Name int }

// Build writes a version 3 map with these segments (sorted by generated position).
func Build(sources, contents, names []string, segs []Seg) []byte {
	var b strings.Builder
	prevGenLine, prevGenCol, prevSrc, prevLine, prevCol, prevName := 1, 0, 0, 0, 0, 0
	first := true
	for _, s := range segs {
		for prevGenLine < s.GenLine {
			b.WriteByte(';')
			prevGenLine++
			prevGenCol = 0
			first = true
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		vlq(&b, s.GenCol-prevGenCol)
		vlq(&b, s.Src-prevSrc)
		vlq(&b, s.Line-1-prevLine)
		vlq(&b, s.Col-prevCol)
		prevGenCol, prevSrc, prevLine, prevCol = s.GenCol, s.Src, s.Line-1, s.Col
		if s.Name >= 0 {
			vlq(&b, s.Name-prevName)
			prevName = s.Name
		}
	}
	out, _ := json.Marshal(map[string]any{
		"version": 3, "file": "app.min.js", "sources": sources, "sourcesContent": contents, "names": names, "mappings": b.String(),
	})
	return out
}

func vlq(b *strings.Builder, v int) {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	u := v << 1
	if v < 0 {
		u = (-v << 1) | 1
	}
	for {
		digit := u & 31
		u >>= 5
		if u > 0 {
			digit |= 32
		}
		b.WriteByte(chars[digit])
		if u == 0 {
			return
		}
	}
}
