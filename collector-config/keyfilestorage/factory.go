package keyfilestorage // import "faultline.local/keyfilestorage"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"
)

// Type is the extension's type in a collector configuration: `extensions: { keyfiles/queue: ... }`.
var Type = component.MustNewType("keyfiles")

// NewFactory creates the keyfiles storage extension's factory.
func NewFactory() extension.Factory {
	return extension.NewFactory(Type, createDefaultConfig, create, component.StabilityLevelDevelopment)
}

func createDefaultConfig() component.Config {
	return &Config{CreateDirectory: true}
}

func create(_ context.Context, _ extension.Settings, cfg component.Config) (extension.Extension, error) {
	return &keyFiles{cfg: cfg.(*Config)}, nil
}
