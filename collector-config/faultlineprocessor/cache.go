package faultlineprocessor

import "sync"

// Limits of the redaction cache: values seen again (the frames of a stack trace thrown from the same place,
// a page URL, a service's resource attributes) are redacted once. Two generations: when the current one
// holds cacheMaxBytes, it becomes the previous one and the one before is dropped, so memory stays under
// about 2 x cacheMaxBytes of keys and values.
const (
	cacheMaxValueLength = 16 << 10
	cacheMaxBytes       = 8 << 20
)

type redactionCache struct {
	mu            sync.Mutex
	current, prev map[string]string
	bytes         int
}

func newRedactionCache() *redactionCache {
	return &redactionCache{current: map[string]string{}, prev: map[string]string{}}
}

// get returns redact(s), from the cache when s was seen recently.
func (c *redactionCache) get(s string, redact func(string) string) string {
	if len(s) > cacheMaxValueLength {
		return redact(s)
	}
	c.mu.Lock()
	out, ok := c.current[s]
	if !ok {
		if out, ok = c.prev[s]; ok {
			c.putLocked(s, out)
		}
	}
	c.mu.Unlock()
	if ok {
		return out
	}
	out = redact(s)
	c.mu.Lock()
	c.putLocked(s, out)
	c.mu.Unlock()
	return out
}

func (c *redactionCache) putLocked(s, out string) {
	if c.bytes >= cacheMaxBytes {
		c.prev, c.current, c.bytes = c.current, map[string]string{}, 0
	}
	if _, ok := c.current[s]; !ok {
		c.current[s] = out
		c.bytes += len(s) + len(out)
	}
}
