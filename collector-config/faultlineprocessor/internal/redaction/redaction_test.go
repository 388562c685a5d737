package redaction

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp/syntax"
	"strings"
	"testing"
	"time"
)

// The one rule file and the one corpus, as core's tests and the end-to-end test read them.
var (
	rulesPath  = filepath.Join("..", "..", "redaction-rules.json")
	corpusPath = filepath.Join("..", "..", "testdata", "redaction-corpus.json")
)

type corpus struct {
	Secrets []struct {
		Kind, Rule, Value, Redacted, URL, Keep string
		Secrets, URLSecrets                    []string
		ToEnd                                  bool // redacted to the end of the value (a cut-off key)
	} `json:"secrets"`
	Lookalikes []struct{ Kind, Value string } `json:"lookalikes"`
	DeniedKeys map[string]string              `json:"deniedKeys"`
}

func load(t testing.TB) (*Rules, *corpus, []byte) {
	t.Helper()
	data, err := os.ReadFile(rulesPath)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := Compile(data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(corpusPath)
	if err != nil {
		t.Fatal(err)
	}
	var c corpus
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return rules, &c, data
}

func TestCorpusSecretsAreRedacted(t *testing.T) {
	rules, c, _ := load(t)
	names := map[string]bool{}
	for _, r := range rules.rules {
		names[r.name] = true
	}
	for _, s := range c.Secrets {
		t.Run(s.Kind, func(t *testing.T) {
			if !names[s.Rule] {
				t.Fatalf("corpus names rule %q, which the rule file does not have", s.Rule)
			}
			got := rules.Text(s.Value)
			if got != s.Redacted {
				t.Errorf("Text(%q)\n got %q\nwant %q", s.Value, got, s.Redacted)
			}
			placed := rules.Text("BEFORE " + s.Value + " AFTER")
			if !strings.HasPrefix(placed, "BEFORE ") || (!s.ToEnd && !strings.HasSuffix(placed, " AFTER")) {
				t.Errorf("the text around it changed: %q", placed)
			}
			for _, secret := range s.Secrets {
				if strings.Contains(placed, secret) {
					t.Errorf("%q still holds %q", placed, secret)
				}
			}
			if s.URL != "" {
				u := rules.URL(s.URL)
				for _, secret := range append(append([]string{}, s.Secrets...), s.URLSecrets...) {
					if strings.Contains(u, secret) {
						t.Errorf("URL %q still holds %q", u, secret)
					}
				}
				if s.Keep != "" && !strings.Contains(u, s.Keep) {
					t.Errorf("URL %q lost %q", u, s.Keep)
				}
			}
		})
	}
}

func TestCorpusLookalikesAreKept(t *testing.T) {
	rules, c, _ := load(t)
	for _, l := range c.Lookalikes {
		t.Run(l.Kind, func(t *testing.T) {
			for _, v := range []string{l.Value, "BEFORE " + l.Value + " AFTER"} {
				if got := rules.Text(v); got != v {
					t.Errorf("Text(%q) = %q, want it unchanged", v, got)
				}
			}
		})
	}
}

func TestEveryRuleIsExercisedByTheCorpus(t *testing.T) {
	rules, c, _ := load(t)
	used := map[string]bool{}
	for _, s := range c.Secrets {
		used[s.Rule] = true
	}
	for _, r := range rules.rules {
		if !used[r.name] {
			t.Errorf("rule %q has no case in the corpus", r.name)
		}
	}
}

func TestDeniedAndProtectedKeys(t *testing.T) {
	rules, c, _ := load(t)
	for key := range c.DeniedKeys {
		if !rules.IsDenied(key) {
			t.Errorf("%q is not denied", key)
		}
	}
	for _, key := range []string{"user.id", "http.route", "max_tokens", "tokenizer", "faultline.fingerprint"} {
		if rules.IsDenied(key) {
			t.Errorf("%q is denied", key)
		}
	}
	for _, key := range []string{"faultline.fingerprint", "session.id", "trace_id", "span_id"} {
		if !rules.IsProtected(key) {
			t.Errorf("%q is not protected", key)
		}
	}
}

func TestURLQueryParameters(t *testing.T) {
	rules, _, _ := load(t)
	got := rules.URL("https://shop.example/cb?code=xyz&state=abc&page=2&access_token=t0k#top")
	want := "https://shop.example/cb?code=[REDACTED]&state=[REDACTED]&page=2&access_token=[REDACTED]#top"
	if got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

// Patterns stay in the common subset of RE2 and JavaScript and run in linear time in a backtracking
// engine: no repetition inside a repetition, unbounded repetition only over a character class or a
// literal character; no \s \w . (whose meaning differs between the two) outside [\s\S].
func TestPatternsAreInTheCommonLinearSubset(t *testing.T) {
	_, _, data := load(t)
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Rules {
		src := strings.ReplaceAll(r.Pattern, `[\s\S]`, `[\x00-\x{10FFFF}]`)
		for _, banned := range []string{`\s`, `\S`, `\w`, `\W`, `\d`, `\D`, `(?`, `\p`, `\Q`, `\z`, `\A`} {
			if strings.Contains(src, banned) {
				t.Errorf("%s: %q is not in the common subset", r.Name, banned)
			}
		}
		if strings.Contains(strings.ReplaceAll(src, `\.`, ``), ".") && !strings.Contains(src, `[`) {
			t.Errorf("%s: `.` is not in the common subset", r.Name)
		}
		re, err := syntax.Parse(src, syntax.Perl)
		if err != nil {
			t.Fatalf("%s: %v", r.Name, err)
		}
		checkLinear(t, r.Name, re, false)
	}
}

func checkLinear(t *testing.T, name string, re *syntax.Regexp, inRepeat bool) {
	switch re.Op {
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		t.Errorf("%s: `.` is not in the common subset", name)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		unbounded := re.Op == syntax.OpStar || re.Op == syntax.OpPlus || (re.Op == syntax.OpRepeat && re.Max < 0)
		sub := re.Sub[0]
		simple := sub.Op == syntax.OpCharClass || sub.Op == syntax.OpLiteral
		if inRepeat && !simple && re.Op != syntax.OpQuest {
			t.Errorf("%s: nested repetition %s", name, re)
		}
		if unbounded && !simple {
			t.Errorf("%s: unbounded repetition of a group %s", name, re)
		}
		for _, s := range re.Sub {
			checkLinear(t, name, s, inRepeat || re.Op != syntax.OpQuest)
		}
		return
	}
	for _, s := range re.Sub {
		checkLinear(t, name, s, inRepeat)
	}
}

// A value of 200 KB built from the characters the rules look for costs linear time (no rule backtracks
// without bound): generous bound, relative to a value of the same size that no prefilter lets through.
func TestHostileValuesCostLinearTime(t *testing.T) {
	rules, _, _ := load(t)
	plain := strings.Repeat("abcdefgh ", 200_000/9)
	hostile := []string{
		strings.Repeat("a@b.", 50_000),
		strings.Repeat("1 ", 100_000),
		strings.Repeat("eyJ", 70_000),
		strings.Repeat("-----BEGIN PRIVATE KEY-----", 8_000),
		strings.Repeat("password=", 22_000),
		strings.Repeat("1.", 100_000),
		strings.Repeat("a:", 100_000) + "::",
		strings.Repeat("AB12 ", 40_000),
		strings.Repeat("http://x", 25_000) + "@",
	}
	t0 := time.Now()
	rules.Text(plain)
	base := time.Since(t0)
	if base < time.Millisecond {
		base = time.Millisecond
	}
	for _, h := range hostile {
		t0 := time.Now()
		rules.Text(h)
		if d := time.Since(t0); d > 2000*base {
			t.Errorf("%q...: %v (plain value: %v)", h[:12], d, base)
		}
	}
}

// The fuzz target's properties: never panics, idempotent, and every prefilter is necessary (a value the
// rule would change always passes it: a prefilter that says no there would let a secret through).
func FuzzText(f *testing.F) {
	rules, c, _ := load(f)
	for _, s := range c.Secrets {
		f.Add(s.Value)
		f.Add("BEFORE " + s.Value + " AFTER")
	}
	for _, l := range c.Lookalikes {
		f.Add(l.Value)
	}
	f.Fuzz(func(t *testing.T, in string) {
		once := rules.Text(in)
		if twice := rules.Text(once); twice != once {
			t.Errorf("not idempotent:\n in   %q\n once %q\n twice %q", in, once, twice)
		}
		s := scan{text: in}
		for i := range rules.rules {
			r := &rules.rules[i]
			if r.apply(in) != in && !rules.passes(r, &s) {
				t.Errorf("rule %s: would change %q but the prefilter says no", r.name, in)
			}
		}
	})
}

// IsDenied looks suffixes up in a set; this is its definition, one deny key at a time.
func deniedByDefinition(denyKeys []string, key string) bool {
	k := strings.ToLower(key)
	for _, e := range denyKeys {
		e = strings.ToLower(e)
		if k == e || (strings.HasSuffix(k, e) && len(k) > len(e) && strings.ContainsRune("._-", rune(k[len(k)-len(e)-1]))) {
			return true
		}
	}
	return false
}

func FuzzIsDenied(f *testing.F) {
	rules, c, data := load(f)
	var file File
	if err := json.Unmarshal(data, &file); err != nil {
		f.Fatal(err)
	}
	for key := range c.DeniedKeys {
		f.Add(key)
		f.Add("X." + strings.ToUpper(key))
		f.Add(key + "_id")
	}
	for _, key := range []string{"", ".", "user.id", "http.route", "max_tokens", "tokenizer", "a-b_c.d", "x.-token"} {
		f.Add(key)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if !isASCII(key) {
			return // the deny list is ASCII and lower-cased byte by byte; strings.ToLower would fold more
		}
		want := deniedByDefinition(file.DenyKeys.Keys, key)
		for _, pass := range []string{"first", "remembered"} {
			if got := rules.IsDenied(key); got != want {
				t.Errorf("IsDenied(%q), %s answer = %v, want %v", key, pass, got, want)
			}
		}
	})
}

func TestAFloodOfKeysKeepsIsDeniedBoundedAndRight(t *testing.T) {
	rules, _, _ := load(t)
	for i := 0; i < 2*maxVerdicts; i++ {
		if rules.IsDenied(fmt.Sprintf("app.field_%d", i)) {
			t.Fatalf("app.field_%d is denied", i)
		}
	}
	if n := rules.nVerdicts.Load(); n != maxVerdicts {
		t.Errorf("%d answers kept, want %d", n, maxVerdicts)
	}
	if !rules.IsDenied("http.request.header.authorization") || !rules.IsDenied("HTTP.Request.Header.Authorization") {
		t.Error("a denied key is not denied once the answers are full")
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func BenchmarkIsDenied(b *testing.B) {
	rules, _, _ := load(b)
	keys := []string{"exception.stacktrace", "http.request.header.user-agent", "user.id", "faultline.fingerprint"}
	for i := 0; i < b.N; i++ {
		rules.IsDenied(keys[i%len(keys)])
	}
}

func BenchmarkTextTypicalStack(b *testing.B) {
	rules, _, _ := load(b)
	stack := "TypeError: order 12-7 failed for [REDACTED:email] (card [REDACTED:card])\n" +
		strings.Repeat("    at handler (/srv/app/node_modules/express/lib/router/layer.js:95:5)\n", 10)
	b.SetBytes(int64(len(stack)))
	for i := 0; i < b.N; i++ {
		rules.Text(stack)
	}
}
