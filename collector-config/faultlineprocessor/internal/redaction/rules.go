// Package redaction applies faultline's redaction rules (redaction-rules.json at the module root, shared
// with @faultline/core's scrubber) to string values: labelled pattern replacements inside values, whole
// values of deny-listed keys, credential-carrying URL query parameters, and keys that are never touched.
//
// Cost: each rule carries a prefilter (literals, or a run of digits / hex / upper-case characters) that is
// necessary for its pattern to match, so a typical value (a stack trace with no secret in it) costs a few
// substring searches and one pass per run kind, and no regular expression runs at all. Go's regexp has to
// try every position of a value for a pattern that does not start with a literal; the prefilters are why
// every span can get every rule (issue 10, item 9).
package redaction // import "faultline.local/faultlineprocessor/internal/redaction"

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
)

// File is the shape of redaction-rules.json.
type File struct {
	Rules    []RuleSpec `json:"rules"`
	DenyKeys struct {
		Replacement string   `json:"replacement"`
		Keys        []string `json:"keys"`
	} `json:"denyKeys"`
	URLParams struct {
		Params  []string `json:"params"`
		URLKeys []string `json:"urlKeys"`
	} `json:"urlParams"`
	ProtectedKeys struct {
		Keys []string `json:"keys"`
	} `json:"protectedKeys"`
}

// RuleSpec is one rule as written in the JSON file.
type RuleSpec struct {
	Name        string        `json:"name"`
	What        string        `json:"what"`
	Pattern     string        `json:"pattern"`
	IgnoreCase  bool          `json:"ignoreCase"`
	Replacement string        `json:"replacement"`
	Prefilter   []Alternative `json:"prefilter"`
	Check       string        `json:"check"`
}

// Alternative is one way a prefilter can pass: every condition given must hold.
type Alternative struct {
	All []string `json:"all"`
	Any []string `json:"any"`
	Run *RunSpec `json:"run"`
}

// RunSpec: some maximal run of characters of class Of and Separators holds at least Min characters of
// the class and MinSeparators separators.
type RunSpec struct {
	Of            string `json:"of"`
	Separators    string `json:"separators"`
	Min           int    `json:"min"`
	MinSeparators int    `json:"minSeparators"`
}

type rule struct {
	name        string
	re          *regexp.Regexp
	ignoreCase  bool
	replacement string
	expands     bool // replacement refers to groups ($1..$9)
	alts        []alternative
	check       checkFunc
	ranges      rangeCheck // instead of check, for checks that find several secrets in one match
}

type alternative struct {
	all, any []string
	run      int // index into Rules.runs, or -1
}

type runSpec struct {
	class        func(byte) bool
	separators   string
	min, minSeps int
	kind         [256]uint8 // 0: breaks a run, 1: of the class, 2: a separator
}

// Rules is a compiled rule file. It is safe for concurrent use.
type Rules struct {
	rules  []rule
	runs   []runSpec
	denied map[string]struct{} // the deny list, lower-cased: IsDenied looks up a key's suffixes in it
	// IsDenied's answers by key: attribute keys repeat on every span and a process sees few distinct ones;
	// past maxVerdicts keys, new ones are answered without being kept (a flood of keys cannot grow it).
	verdicts    sync.Map
	nVerdicts   atomic.Int32
	replacement string
	urlParams   []string
	urlKeys     []string
	protected   map[string]bool
}

// Options adjust a compiled rule set (from the processor's configuration).
type Options struct {
	DenyKeys      []string // added to the file's deny list
	ProtectedKeys []string // added to the file's protected keys
	DisabledRules []string // rule names left out
}

var groupRef = regexp.MustCompile(`\$[0-9]`)

// Compile parses and compiles a rule file. Every rule must compile, name a known check, carry a prefilter
// and use only $1..$9 in its replacement.
func Compile(data []byte, opts Options) (*Rules, error) {
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("redaction rules: %w", err)
	}
	if len(f.Rules) == 0 {
		return nil, errors.New("redaction rules: no rules")
	}
	disabled := map[string]bool{}
	for _, n := range opts.DisabledRules {
		disabled[n] = true
	}
	r := &Rules{
		replacement: f.DenyKeys.Replacement,
		denied:      map[string]struct{}{},
		urlParams:   lowerAll(f.URLParams.Params),
		urlKeys:     f.URLParams.URLKeys,
		protected:   map[string]bool{},
	}
	if r.replacement == "" {
		return nil, errors.New("redaction rules: denyKeys.replacement is empty")
	}
	for _, e := range lowerAll(append(append([]string{}, f.DenyKeys.Keys...), opts.DenyKeys...)) {
		r.denied[e] = struct{}{}
	}
	for _, k := range append(append([]string{}, f.ProtectedKeys.Keys...), opts.ProtectedKeys...) {
		r.protected[k] = true
	}
	runIndex := map[RunSpec]int{}
	known := map[string]bool{}
	for _, spec := range f.Rules {
		known[spec.Name] = true
		if disabled[spec.Name] {
			continue
		}
		compiled, err := r.compileRule(spec, runIndex)
		if err != nil {
			return nil, fmt.Errorf("redaction rule %q: %w", spec.Name, err)
		}
		r.rules = append(r.rules, compiled)
	}
	for n := range disabled {
		if !known[n] {
			return nil, fmt.Errorf("redaction rules: no rule named %q to disable", n)
		}
	}
	return r, nil
}

// RuleNames lists the rule names of a rule file, in order.
func RuleNames(data []byte) ([]string, error) {
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(f.Rules))
	for _, r := range f.Rules {
		names = append(names, r.Name)
	}
	return names, nil
}

func (r *Rules) compileRule(spec RuleSpec, runIndex map[RunSpec]int) (rule, error) {
	re, err := compilePattern(spec.Pattern, spec.IgnoreCase)
	if err != nil {
		return rule{}, err
	}
	if re.MatchString("") {
		return rule{}, errors.New("pattern matches the empty string")
	}
	if strings.Contains(groupRef.ReplaceAllString(spec.Replacement, ""), "$") {
		return rule{}, errors.New("replacement may only refer to $1..$9")
	}
	check, ok := checks[spec.Check]
	ranges, isRange := rangeChecks[spec.Check]
	if !ok && !isRange {
		return rule{}, fmt.Errorf("unknown check %q", spec.Check)
	}
	if isRange && strings.Contains(spec.Replacement, "$") {
		return rule{}, fmt.Errorf("check %q cannot be used with $ in the replacement", spec.Check)
	}
	if len(spec.Prefilter) == 0 {
		return rule{}, errors.New("no prefilter")
	}
	out := rule{
		name:        spec.Name,
		re:          re,
		ignoreCase:  spec.IgnoreCase,
		replacement: spec.Replacement,
		expands:     groupRef.MatchString(spec.Replacement),
		check:       check,
		ranges:      ranges,
	}
	for _, a := range spec.Prefilter {
		alt := alternative{all: a.All, any: a.Any, run: -1}
		if spec.IgnoreCase {
			for _, lit := range append(append([]string{}, a.All...), a.Any...) {
				if lit != strings.ToLower(lit) {
					return rule{}, fmt.Errorf("literal %q of an ignoreCase rule must be lowercase", lit)
				}
			}
		}
		if a.Run != nil {
			idx, seen := runIndex[*a.Run]
			if !seen {
				class, err := runClass(a.Run.Of)
				if err != nil {
					return rule{}, err
				}
				idx = len(r.runs)
				if idx >= maxRuns {
					return rule{}, errors.New("too many distinct run specs")
				}
				r.runs = append(r.runs, runSpec{class: class, separators: a.Run.Separators, min: a.Run.Min, minSeps: a.Run.MinSeparators})
				spec := &r.runs[idx]
				for c := 0; c < 256; c++ {
					if class(byte(c)) {
						spec.kind[c] = 1
					} else if strings.IndexByte(a.Run.Separators, byte(c)) >= 0 {
						spec.kind[c] = 2
					}
				}
				runIndex[*a.Run] = idx
			}
			alt.run = idx
		}
		if len(alt.all) == 0 && len(alt.any) == 0 && alt.run < 0 {
			return rule{}, errors.New("empty prefilter alternative")
		}
		out.alts = append(out.alts, alt)
	}
	return out, nil
}

// compilePattern compiles a rule's pattern; case-insensitively with ASCII classes ([Pp]) instead of
// (?i), which Go's regexp runs through Unicode case folding at every step (several times slower).
func compilePattern(pattern string, ignoreCase bool) (*regexp.Regexp, error) {
	if !ignoreCase {
		return regexp.Compile(pattern)
	}
	tree, err := syntax.Parse(pattern, syntax.Perl|syntax.FoldCase)
	if err != nil {
		return nil, err
	}
	return regexp.Compile(asciiFold(tree).String())
}

// asciiFold rewrites case-folded literals as concatenations of [Xx] classes.
func asciiFold(re *syntax.Regexp) *syntax.Regexp {
	for i, sub := range re.Sub {
		re.Sub[i] = asciiFold(sub)
	}
	if re.Op == syntax.OpCharClass {
		// Folding adds U+017F (long s) and U+212A (Kelvin sign) to [s] and [k]; JavaScript's /i does not.
		kept := re.Rune[:0]
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if lo, hi := re.Rune[i], re.Rune[i+1]; !(lo == hi && (lo == 0x17F || lo == 0x212A)) {
				kept = append(kept, lo, hi)
			}
		}
		re.Rune = kept
	}
	if re.Op != syntax.OpLiteral || re.Flags&syntax.FoldCase == 0 {
		re.Flags &^= syntax.FoldCase
		return re
	}
	out := &syntax.Regexp{Op: syntax.OpConcat}
	for _, r := range re.Rune {
		lo, up := unicode.ToLower(r), unicode.ToUpper(r)
		class := &syntax.Regexp{Op: syntax.OpCharClass, Rune: []rune{lo, lo}}
		if up != lo && r < 128 {
			class.Rune = []rune{up, up, lo, lo}
		} else if r >= 128 {
			class = &syntax.Regexp{Op: syntax.OpLiteral, Rune: []rune{r}, Flags: syntax.FoldCase}
		}
		out.Sub = append(out.Sub, class)
	}
	return out
}

func runClass(name string) (func(byte) bool, error) {
	switch name {
	case "digit":
		return isDigit, nil
	case "hex":
		return isHex, nil
	case "upper-alnum":
		return func(c byte) bool { return isDigit(c) || (c >= 'A' && c <= 'Z') }, nil
	}
	return nil, fmt.Errorf("unknown run class %q", name)
}

// scan holds what the prefilters have learnt about one value, computed on first use: which byte pairs of
// the ASCII-lowercased value occur (a 16384-bit table), so that most literals are ruled out without a
// search, and which run specs hold.
type scan struct {
	text     string
	lower    string
	pairs    *[256]uint64 // bit (a&127)<<7 | b&127 for each pair of lowercased bytes a, b
	runsDone uint32
	runs     uint32 // bit i: run spec i holds (valid where runsDone has bit i)
}

const (
	maxRuns = 32
	// Below this length a literal search is cheaper than building the pair table.
	pairTableMinLength = 96
)

var foldTable = func() (t [256]byte) {
	for i := range t {
		t[i] = foldByte(byte(i))
	}
	return
}()

func foldByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func (s *scan) see() {
	s.pairs = new([256]uint64)
	t := s.text
	prev := uint32(foldTable[t[0]] & 127)
	for i := 1; i < len(t); i++ {
		cur := uint32(foldTable[t[i]] & 127)
		h := prev<<7 | cur
		s.pairs[h>>6] |= 1 << (h & 63)
		prev = cur
	}
}

// mayContain: false when lit certainly does not occur (one of its byte pairs is absent).
func (s *scan) mayContain(lit string) bool {
	if len(s.text) < pairTableMinLength || len(lit) < 2 {
		return true
	}
	if s.pairs == nil {
		s.see()
	}
	for i := 0; i+1 < len(lit); i++ {
		h := uint32(foldTable[lit[i]]&127)<<7 | uint32(foldTable[lit[i+1]]&127)
		if s.pairs[h>>6]&(1<<(h&63)) == 0 {
			return false
		}
	}
	return true
}

func (s *scan) contains(lit string, fold bool) bool {
	if !s.mayContain(lit) {
		return false
	}
	if fold {
		if s.lower == "" {
			s.lower = asciiLower(s.text)
		}
		return strings.Contains(s.lower, lit)
	}
	return strings.Contains(s.text, lit)
}

func (r *Rules) passes(ru *rule, s *scan) bool {
	for i := range ru.alts {
		a := &ru.alts[i]
		ok := true
		for _, lit := range a.all {
			if !s.contains(lit, ru.ignoreCase) {
				ok = false
				break
			}
		}
		if ok && len(a.any) > 0 {
			found := false
			for _, lit := range a.any {
				if s.contains(lit, ru.ignoreCase) {
					found = true
					break
				}
			}
			ok = found
		}
		if ok && a.run >= 0 {
			ok = r.run(a.run, s)
		}
		if ok {
			return true
		}
	}
	return false
}

func (r *Rules) run(idx int, s *scan) bool {
	bit := uint32(1) << idx
	if s.runsDone&bit == 0 {
		s.runsDone |= bit
		spec := &r.runs[idx]
		if hasRun(s.text, &spec.kind, spec.min, spec.minSeps) {
			s.runs |= bit
		}
	}
	return s.runs&bit != 0
}

// hasRun is HasRun with the class and separators as a table (0: neither, 1: class, 2: separator).
func hasRun(text string, kind *[256]uint8, min, minSeps int) bool {
	n, seps := 0, 0
	for i := 0; i < len(text); i++ {
		switch kind[text[i]] {
		case 0:
			n, seps = 0, 0
			continue
		case 1:
			n++
		default:
			seps++
		}
		if n >= min && seps >= minSeps {
			return true
		}
	}
	return false
}

// HasRun reports whether some maximal run of class characters and separators in text holds at least min
// class characters and minSeps separators.
func HasRun(text string, class func(byte) bool, separators string, min, minSeps int) bool {
	n, seps := 0, 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case class(c):
			n++
		case strings.IndexByte(separators, c) >= 0:
			seps++
		default:
			n, seps = 0, 0
			continue
		}
		if n >= min && seps >= minSeps {
			return true
		}
	}
	return false
}

// Text applies every rule, in order, to one string.
func (r *Rules) Text(text string) string {
	if text == "" {
		return text
	}
	s := &scan{text: text}
	for i := range r.rules {
		ru := &r.rules[i]
		if !r.passes(ru, s) {
			continue
		}
		if out := ru.apply(s.text); out != s.text {
			s = &scan{text: out}
		}
	}
	return s.text
}

func (ru *rule) apply(text string) string {
	matches := ru.re.FindAllStringSubmatchIndex(text, -1)
	if matches == nil {
		return text
	}
	var b strings.Builder
	last := 0
	for _, m := range matches {
		start, end := m[0], m[1]
		if ru.ranges != nil {
			for _, rg := range ru.ranges(text, start, end) {
				b.WriteString(text[last:rg[0]])
				b.WriteString(ru.replacement)
				last = rg[1]
			}
			continue
		}
		keepFrom := ru.check(text, start, end)
		if keepFrom < 0 {
			continue
		}
		b.WriteString(text[last:start])
		if ru.expands {
			b.WriteString(expand(ru.replacement, text, m))
		} else {
			b.WriteString(ru.replacement)
		}
		b.WriteString(text[keepFrom:end])
		last = end
	}
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

// expand writes the replacement with $1..$9 replaced by the groups of match m (an unmatched group is empty).
func expand(tmpl, text string, m []int) string {
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c == '$' && i+1 < len(tmpl) && isDigit(tmpl[i+1]) {
			g := int(tmpl[i+1] - '0')
			if 2*g+1 < len(m) && m[2*g] >= 0 {
				b.WriteString(text[m[2*g]:m[2*g+1]])
			}
			i++
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// IsProtected: the key's value is never touched.
func (r *Rules) IsProtected(key string) bool { return r.protected[key] }

// IsDenied: the key equals a deny-list entry or ends with one after '.', '_' or '-', case-insensitively.
//
// A deny key matches the whole key or the part after a separator, so only those suffixes are looked up:
// one set lookup per separator in the key, not a suffix test per deny key (it ran for every attribute).
func (r *Rules) IsDenied(key string) bool {
	if v, ok := r.verdicts.Load(key); ok {
		return v.(bool)
	}
	denied := r.isDenied(key)
	if r.nVerdicts.Load() < maxVerdicts {
		if _, loaded := r.verdicts.LoadOrStore(key, denied); !loaded {
			r.nVerdicts.Add(1)
		}
	}
	return denied
}

const maxVerdicts = 4096

func (r *Rules) isDenied(key string) bool {
	k := asciiLower(key)
	if _, ok := r.denied[k]; ok {
		return true
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; c == '.' || c == '_' || c == '-' {
			if _, ok := r.denied[k[i+1:]]; ok {
				return true
			}
		}
	}
	return false
}

// Replacement is what a denied key's whole value becomes.
func (r *Rules) Replacement() string { return r.replacement }

// IsURLKey: the key holds a URL, whose query parameters are scrubbed by name too.
func (r *Rules) IsURLKey(key string) bool {
	for _, u := range r.urlKeys {
		if strings.HasPrefix(u, "*") {
			if strings.HasSuffix(key, u[1:]) {
				return true
			}
		} else if key == u {
			return true
		}
	}
	return false
}

// URL replaces the values of credential-carrying query parameters, then applies every rule.
func (r *Rules) URL(u string) string {
	if strings.ContainsAny(u, "?&;") {
		u = r.queryParams(u)
	}
	return r.Text(u)
}

// queryParams: for each [?&;]name=value (value up to the next & # ;), a denied name's value is replaced.
func (r *Rules) queryParams(u string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(u); i++ {
		if c := u[i]; c != '?' && c != '&' && c != ';' {
			continue
		}
		nameEnd := i + 1
		for nameEnd < len(u) && !strings.ContainsRune("=&#;", rune(u[nameEnd])) {
			nameEnd++
		}
		if nameEnd == i+1 || nameEnd >= len(u) || u[nameEnd] != '=' {
			continue
		}
		valEnd := nameEnd + 1
		for valEnd < len(u) && !strings.ContainsRune("&#;", rune(u[valEnd])) {
			valEnd++
		}
		name := u[i+1 : nameEnd]
		if r.IsDenied(name) || contains(r.urlParams, asciiLower(name)) {
			b.WriteString(u[last : nameEnd+1])
			b.WriteString(r.replacement)
			last = valEnd
		}
		i = valEnd - 1
	}
	if last == 0 {
		return u
	}
	b.WriteString(u[last:])
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func lowerAll(list []string) []string {
	out := make([]string, 0, len(list))
	for _, s := range list {
		out = append(out, asciiLower(s))
	}
	return out
}

// asciiLower lowercases A-Z only (as JavaScript's prefilter does), keeping byte offsets.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}
