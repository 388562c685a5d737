//go:build tools

// Package tools pins the jaeger command so `go build github.com/jaegertracing/jaeger/cmd/jaeger` resolves
// against this module's go.mod and go.sum.
package tools

import _ "github.com/jaegertracing/jaeger/cmd/jaeger"
