package faultlineprocessor

import (
	"path/filepath"
	"testing"
	"time"

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
		if name == "unknown-rule" || name == "empty-key" || name == "negative-limits" {
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
	want := createDefaultConfig().(*Config)
	want.Redaction = RedactionConfig{
		DenyKeys:      []string{"x-tenant-secret", "pin"},
		ProtectedKeys: []string{"app.build_id"},
		DisabledRules: []string{"ipv4"},
	}
	assert.Equal(t, want, custom)

	maps := load("sourcemaps")
	want = createDefaultConfig().(*Config)
	want.Symbolication = SymbolicationConfig{
		Store:              "/var/lib/faultline/sourcemaps",
		MaxMapBytes:        16 << 20,
		CacheMaxBytes:      128 << 20,
		CacheTTL:           time.Minute,
		SourceContextLines: 3,
	}
	assert.Equal(t, want, maps)
	assert.NoError(t, xconfmap.Validate(maps))
	assert.NoError(t, xconfmap.Validate(custom))

	assert.ErrorContains(t, xconfmap.Validate(load("unknown-rule")), `no rule named "no-such-rule"`)
	assert.ErrorContains(t, xconfmap.Validate(load("empty-key")), "redaction.deny_keys: empty key")
	assert.ErrorContains(t, xconfmap.Validate(load("negative-limits")), "must be positive")
}
