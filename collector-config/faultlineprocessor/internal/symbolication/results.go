package symbolication

import (
	"strings"
	"sync"
	"time"
)

// Limits of the result cache: a browser error repeats on every page view of a release, so its stack is
// mapped once and then read from here. Two generations (like the redaction cache): when the current one
// holds resultCacheMaxBytes, it becomes the previous one and the one before is dropped.
const (
	resultCacheMaxBytes = 16 << 20
	// resultMaxKeyLength: a stack longer than this is mapped every time (rare, and it would crowd out others).
	resultMaxKeyLength = 16 << 10
)

type cachedResult struct {
	r  Result
	at time.Time
}

type resultCache struct {
	ttl           time.Duration
	mu            sync.Mutex
	current, prev map[string]cachedResult
	bytes         int
}

func newResultCache(ttl time.Duration) *resultCache {
	return &resultCache{ttl: ttl, current: map[string]cachedResult{}, prev: map[string]cachedResult{}}
}

func resultKey(service, release, text string) string {
	if len(text) > resultMaxKeyLength {
		return ""
	}
	return strings.Join([]string{service, release, text}, "\x00")
}

// get returns a result younger than the TTL. Its Frames are shared with every later hit: read only.
func (c *resultCache) get(key string) (Result, bool) {
	if key == "" {
		return Result{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.current[key]
	if !ok {
		e, ok = c.prev[key]
	}
	if !ok || time.Since(e.at) >= c.ttl {
		return Result{}, false
	}
	return e.r, true
}

func (c *resultCache) put(key string, r Result) {
	if key == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bytes >= resultCacheMaxBytes {
		c.prev, c.current, c.bytes = c.current, map[string]cachedResult{}, 0
	}
	c.current[key] = cachedResult{r: r, at: time.Now()}
	c.bytes += len(key) + len(r.Stacktrace) + len(r.Context) + len(r.Error) + len(r.Frames)*96
}
