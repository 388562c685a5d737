package sourcemaps

import (
	"container/list"
	"errors"
	"sync"
	"time"
)

// Cache holds parsed maps, least recently used first out, bounded by the bytes they are charged
// (Map.Bytes). Absent and bad maps are remembered too (charged a little), so that a page full of errors
// from a release without maps costs one file lookup per TTL, not one per frame.
type Cache struct {
	store    *Store
	maxBytes int64
	ttl      time.Duration
	now      func() time.Time

	mu      sync.Mutex
	entries map[string]*list.Element
	order   *list.List // front: most recently used
	bytes   int64
	stats   Stats
}

// Stats are the cache's counters, for tests and the benchmark.
type Stats struct {
	Loads, Hits, Evictions int64
	Maps                   int
	Bytes                  int64
}

type entry struct {
	path   string
	loaded time.Time
	ready  chan struct{} // closed once m/err are set
	m      *Map
	err    error
	bytes  int64
}

// negativeBytes is what an absent or bad map is charged.
const negativeBytes = 256

// NewCache returns a cache over store holding at most maxBytes of maps; entries are read again after ttl
// (a re-upload of a release's maps is seen within ttl).
func NewCache(store *Store, maxBytes int64, ttl time.Duration) *Cache {
	return &Cache{store: store, maxBytes: maxBytes, ttl: ttl, now: time.Now, entries: map[string]*list.Element{}, order: list.New()}
}

// Get returns the map at path, loading it on first use. Concurrent callers for one path share one load.
func (c *Cache) Get(path string) (*Map, error) {
	c.mu.Lock()
	if el, ok := c.entries[path]; ok {
		e := el.Value.(*entry)
		select {
		case <-e.ready:
			if c.now().Sub(e.loaded) < c.ttl {
				c.order.MoveToFront(el)
				c.stats.Hits++
				c.mu.Unlock()
				return e.m, e.err
			}
			c.removeLocked(el)
		default:
			c.mu.Unlock()
			<-e.ready
			return e.m, e.err
		}
	}
	e := &entry{path: path, ready: make(chan struct{})}
	el := c.order.PushFront(e)
	c.entries[path] = el
	c.stats.Loads++
	c.mu.Unlock()

	e.m, e.err = c.load(path)
	e.loaded = c.now()
	e.bytes = negativeBytes
	if e.m != nil {
		e.bytes = e.m.Bytes()
	}
	close(e.ready)

	c.mu.Lock()
	if cur, ok := c.entries[path]; ok && cur == el {
		c.bytes += e.bytes
		for c.bytes > c.maxBytes && c.order.Len() > 1 {
			last := c.order.Back()
			if last == el {
				break
			}
			c.removeLocked(last)
			c.stats.Evictions++
		}
	}
	c.mu.Unlock()
	return e.m, e.err
}

func (c *Cache) removeLocked(el *list.Element) {
	e := el.Value.(*entry)
	select {
	case <-e.ready:
		c.bytes -= e.bytes
	default:
		return // still loading: its loader accounts for it
	}
	c.order.Remove(el)
	delete(c.entries, e.path)
}

func (c *Cache) load(path string) (*Map, error) {
	raw, err := c.store.read(path)
	if err != nil {
		return nil, err
	}
	index, err := c.store.read(IndexPath(path))
	if err != nil && !errors.Is(err, ErrNotFound) {
		index = nil // an unreadable index costs the names, not the map
	}
	return Parse(raw, index)
}

// Stats returns the counters and what is held now.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Bytes = c.bytes
	for el := c.order.Front(); el != nil; el = el.Next() {
		e := el.Value.(*entry)
		select {
		case <-e.ready:
			if e.m != nil {
				s.Maps++
			}
		default:
		}
	}
	return s
}
