// Wrapper module that builds Jaeger v2 (tag v1.76.0 = Jaeger v2.13) from the Go module proxy.
// `go install github.com/jaegertracing/jaeger/cmd/jaeger@v1.76.0` refuses because jaeger's go.mod carries a
// replace directive; a wrapper that requires jaeger and repeats the replace builds the same binary.
module faultline.local/jaeger-build

go 1.25.0

require github.com/jaegertracing/jaeger v1.76.0

replace github.com/Shopify/sarama => github.com/Shopify/sarama v1.33.0
