package faultlineprocessor // import "faultline.local/faultlineprocessor"

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"faultline.local/faultlineprocessor/internal/redaction"
)

// Config of the faultline processor: redaction, and symbolication of browser stacks from uploaded source
// maps. Exceptions of every SDK are marked and fingerprinted without configuration.
type Config struct {
	Redaction     RedactionConfig     `mapstructure:"redaction"`
	Symbolication SymbolicationConfig `mapstructure:"symbolication"`
}

// SymbolicationConfig says where `faultline sourcemaps upload` puts maps, and bounds what reading them costs.
type SymbolicationConfig struct {
	// Store is the directory the CLI writes (FAULTLINE_SOURCEMAP_STORE in faultline.yaml). Empty: off.
	Store string `mapstructure:"store"`
	// MaxMapBytes: a larger map is not read (bad_map). Default 32 MiB: a big app's main bundle map is a
	// few MiB, so this is room, not a target.
	MaxMapBytes int64 `mapstructure:"max_map_bytes"`
	// CacheMaxBytes bounds the parsed maps held (about twice each map's JSON). Default 256 MiB.
	CacheMaxBytes int64 `mapstructure:"cache_max_bytes"`
	// CacheTTL: a map (or its absence) is read again after this long, so a re-upload is seen. Default 5m.
	CacheTTL time.Duration `mapstructure:"cache_ttl"`
	// SourceContextLines either side of each of the innermost in-app frames' line. 0: no context.
	SourceContextLines int `mapstructure:"source_context_lines"`
}

// RedactionConfig adjusts the shared rules (redaction-rules.json) for one collector. The rules themselves
// are not configurable here: they are the same for the collector and for the agents' in-process scrubber.
type RedactionConfig struct {
	// DenyKeys are added to the shared key deny list: the whole value of an attribute whose key equals one
	// of them, or ends with one after '.', '_' or '-' (case-insensitive), is replaced.
	DenyKeys []string `mapstructure:"deny_keys"`
	// ProtectedKeys are added to the attributes that are never touched (faultline.fingerprint, session.id,
	// trace and span ids).
	ProtectedKeys []string `mapstructure:"protected_keys"`
	// DisabledRules names rules of redaction-rules.json to leave out (for example "ipv4" on a collector
	// whose data may keep client addresses). Unknown names are an error.
	DisabledRules []string `mapstructure:"disabled_rules"`
}

// Validate checks the configuration before the collector starts.
func (c *Config) Validate() error {
	var errs []error
	for _, k := range c.Redaction.DenyKeys {
		if strings.TrimSpace(k) == "" {
			errs = append(errs, errors.New("redaction.deny_keys: empty key"))
		}
	}
	for _, k := range c.Redaction.ProtectedKeys {
		if strings.TrimSpace(k) == "" {
			errs = append(errs, errors.New("redaction.protected_keys: empty key"))
		}
	}
	sym := c.Symbolication
	if sym.MaxMapBytes <= 0 || sym.CacheMaxBytes <= 0 || sym.CacheTTL <= 0 {
		errs = append(errs, errors.New("symbolication: max_map_bytes, cache_max_bytes and cache_ttl must be positive"))
	}
	if sym.SourceContextLines < 0 || sym.SourceContextLines > maxSourceContextLines {
		errs = append(errs, fmt.Errorf("symbolication.source_context_lines: from 0 to %d", maxSourceContextLines))
	}
	names, err := redaction.RuleNames(rulesJSON)
	if err != nil {
		return fmt.Errorf("embedded redaction rules: %w", err)
	}
	for _, n := range c.Redaction.DisabledRules {
		found := false
		for _, known := range names {
			found = found || known == n
		}
		if !found {
			errs = append(errs, fmt.Errorf("redaction.disabled_rules: no rule named %q (rules: %s)", n, strings.Join(names, ", ")))
		}
	}
	return errors.Join(errs...)
}
