package faultlineprocessor // import "faultline.local/faultlineprocessor"

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"
)

const typeStr = "faultline"

// Type is the processor's type in a collector configuration: `processors: { faultline: ... }`.
var Type = component.MustNewType(typeStr)

// NewFactory creates the faultline processor's factory (traces and logs).
func NewFactory() processor.Factory {
	return processor.NewFactory(
		Type,
		createDefaultConfig,
		processor.WithTraces(createTraces, component.StabilityLevelDevelopment),
		processor.WithLogs(createLogs, component.StabilityLevelDevelopment),
	)
}

// Defaults of the symbolication limits (config.go says why).
const (
	defaultMaxMapBytes        = 32 << 20
	defaultCacheMaxBytes      = 256 << 20
	defaultCacheTTL           = 5 * time.Minute
	defaultSourceContextLines = 2
	// maxSourceContextLines bounds what one frame adds to an event.
	maxSourceContextLines = 10
)

func createDefaultConfig() component.Config {
	return &Config{Symbolication: SymbolicationConfig{
		MaxMapBytes:        defaultMaxMapBytes,
		CacheMaxBytes:      defaultCacheMaxBytes,
		CacheTTL:           defaultCacheTTL,
		SourceContextLines: defaultSourceContextLines,
	}}
}

func createTraces(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	p, err := newFaultlineProcessor(cfg.(*Config), set)
	if err != nil {
		return nil, fmt.Errorf("faultline processor: %w", err)
	}
	return processorhelper.NewTraces(ctx, set, cfg, next, p.processTraces,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}))
}

func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	p, err := newFaultlineProcessor(cfg.(*Config), set)
	if err != nil {
		return nil, fmt.Errorf("faultline processor: %w", err)
	}
	return processorhelper.NewLogs(ctx, set, cfg, next, p.processLogs,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}))
}
