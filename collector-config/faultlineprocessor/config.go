package faultlineprocessor // import "faultline.local/faultlineprocessor"

import (
	"errors"
	"fmt"
	"strings"

	"faultline.local/faultlineprocessor/internal/redaction"
)

// Config of the faultline processor. Redaction is its first feature; symbolication and fingerprinting
// from source maps come next, each under a key of its own.
type Config struct {
	Redaction RedactionConfig `mapstructure:"redaction"`
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
