package faultlineprocessor

import _ "embed"

// rulesJSON is the single source of faultline's redaction rules, shared with @faultline/core (whose
// packages/core/src/redaction-rules.ts is generated from it).
//
//go:embed redaction-rules.json
var rulesJSON []byte
