package faultlineprocessor

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/confmap/xconfmap"
)

func TestLoadConfig(t *testing.T) {
	valid, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	valid, err = valid.Sub("processors")
	require.NoError(t, err)
	invalid, err := confmaptest.LoadConf(filepath.Join("testdata", "invalid.yaml"))
	require.NoError(t, err)
	load := func(name string) *Config {
		cm := valid
		if name == "unknown-rule" || name == "empty-key" {
			cm = invalid
		}
		sub, err := cm.Sub(component.NewIDWithName(Type, name).String())
		require.NoError(t, err)
		cfg := NewFactory().CreateDefaultConfig()
		require.NoError(t, sub.Unmarshal(cfg))
		return cfg.(*Config)
	}

	def := load("")
	assert.Equal(t, createDefaultConfig(), def)
	assert.NoError(t, xconfmap.Validate(def))

	custom := load("custom")
	assert.Equal(t, &Config{Redaction: RedactionConfig{
		DenyKeys:      []string{"x-tenant-secret", "pin"},
		ProtectedKeys: []string{"app.build_id"},
		DisabledRules: []string{"ipv4"},
	}}, custom)
	assert.NoError(t, xconfmap.Validate(custom))

	assert.ErrorContains(t, xconfmap.Validate(load("unknown-rule")), `no rule named "no-such-rule"`)
	assert.ErrorContains(t, xconfmap.Validate(load("empty-key")), "redaction.deny_keys: empty key")
}
