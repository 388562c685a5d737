package fingerprint

import "sync"

// Normalized messages are remembered: the same error repeats, and the message's nine dynamic-part patterns
// cost more than the rest of a fingerprint. Two generations; messages longer than messageCacheMaxLength are
// normalized every time.
const (
	messageCacheMaxBytes  = 4 << 20
	messageCacheMaxLength = 1024
)

type messageCache struct {
	mu            sync.Mutex
	current, prev map[string]string
	bytes         int
}

var messages = &messageCache{current: map[string]string{}, prev: map[string]string{}}

func (c *messageCache) normalized(message string) string {
	if len(message) > messageCacheMaxLength {
		return NormalizeMessage(message)
	}
	c.mu.Lock()
	out, ok := c.current[message]
	if !ok {
		out, ok = c.prev[message]
	}
	c.mu.Unlock()
	if ok {
		return out
	}
	out = NormalizeMessage(message)
	c.mu.Lock()
	if c.bytes >= messageCacheMaxBytes {
		c.prev, c.current, c.bytes = c.current, map[string]string{}, 0
	}
	c.current[message] = out
	c.bytes += len(message) + len(out)
	c.mu.Unlock()
	return out
}
