// Package keyfilestorage is a storage extension for the exporters' persistent queues that keeps each key
// in a file of its own. The persistent queue stores every request it holds as one value (a batch of
// spans, megabytes when they carry symbolicated stacks) and rewrites a small metadata key at every put,
// read and acknowledgement. In file_storage's bbolt, each commit rewrites the B+tree leaf holding the
// changed key, large neighbouring values with it: in the symbolication benchmark bbolt took 26 to 45 % of
// the collector's CPU. Here a value is written once, read once and
// unlinked: Set writes a temporary file and renames it over the key's, which replaces it atomically.
package keyfilestorage // import "faultline.local/keyfilestorage"

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

type keyFiles struct {
	cfg *Config
}

var _ storage.Extension = (*keyFiles)(nil)

func (k *keyFiles) Start(context.Context, component.Host) error {
	if k.cfg.CreateDirectory {
		if err := os.MkdirAll(k.cfg.Directory, 0o750); err != nil {
			return fmt.Errorf("keyfiles: %w", err)
		}
	}
	info, err := os.Stat(k.cfg.Directory)
	if err != nil {
		return fmt.Errorf("keyfiles: %w", err)
	}
	if !info.IsDir() {
		return fmt.Errorf("keyfiles: %s is not a directory", k.cfg.Directory)
	}
	return nil
}

func (k *keyFiles) Shutdown(context.Context) error { return nil }

// GetClient opens (creating it if needed) the folder of one component's storage, named as file_storage
// names its files: kind, component type and name, storage name.
func (k *keyFiles) GetClient(_ context.Context, kind component.Kind, id component.ID, name string) (storage.Client, error) {
	folder := strings.ToLower(kind.String()) + "_" + id.Type().String()
	if id.Name() != "" {
		folder += "_" + id.Name()
	}
	if name != "" {
		folder += "_" + name
	}
	// ".keyfiles": file_storage names its database file the same way, and both may share a directory.
	dir := filepath.Join(k.cfg.Directory, url.PathEscape(folder)+".keyfiles")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("keyfiles: %w", err)
	}
	// A temporary file is what a Set interrupted by a crash leaves: the key's own file is intact.
	stale, _ := filepath.Glob(filepath.Join(dir, "*"+tempSuffix))
	for _, f := range stale {
		_ = os.Remove(f)
	}
	return &client{dir: dir, fsync: k.cfg.Fsync}, nil
}

const tempSuffix = ".tmp"

var errClosed = errors.New("keyfiles: client is closed")

// client is one component's storage: a folder with one file per key, named by the key in hex (any
// string is a key, none can reach outside the folder; the file system's name limit makes 127 bytes the
// longest, and the persistent queue's keys are a few).
type client struct {
	mu     sync.Mutex
	dir    string
	fsync  bool
	closed bool
}

func (c *client) path(key string) string { return filepath.Join(c.dir, "k"+hex.EncodeToString([]byte(key))) }

func (c *client) Get(ctx context.Context, key string) ([]byte, error) {
	op := storage.GetOperation(key)
	err := c.Batch(ctx, op)
	return op.Value, err
}

func (c *client) Set(ctx context.Context, key string, value []byte) error {
	return c.Batch(ctx, storage.SetOperation(key, value))
}

func (c *client) Delete(ctx context.Context, key string) error {
	return c.Batch(ctx, storage.DeleteOperation(key))
}

// Batch runs the operations in order. Every value to set is written to its temporary file first, so that
// what an interruption can leave between two operations is the renames not yet done: the window of the
// persistent queue's two-key updates (its metadata and an item) is two renames, not two writes.
func (c *client) Batch(_ context.Context, ops ...*storage.Operation) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errClosed
	}
	temps := make(map[int]string)
	defer func() {
		for _, t := range temps {
			_ = os.Remove(t) // left only when an operation failed
		}
	}()
	for i, op := range ops {
		if op.Type == storage.Set {
			t := fmt.Sprintf("%s.%d%s", c.path(op.Key), i, tempSuffix)
			if err := c.write(t, op.Value); err != nil {
				return err
			}
			temps[i] = t
		}
	}
	sets := len(temps)
	for i, op := range ops {
		switch op.Type {
		case storage.Get:
			v, err := os.ReadFile(c.path(op.Key))
			switch {
			case errors.Is(err, os.ErrNotExist):
				op.Value = nil
			case err != nil:
				return fmt.Errorf("keyfiles: %w", err)
			default:
				op.Value = v
			}
		case storage.Set:
			if err := os.Rename(temps[i], c.path(op.Key)); err != nil {
				return fmt.Errorf("keyfiles: %w", err)
			}
			delete(temps, i)
		case storage.Delete:
			if err := os.Remove(c.path(op.Key)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("keyfiles: %w", err)
			}
		default:
			return fmt.Errorf("keyfiles: unknown operation %d", op.Type)
		}
	}
	if c.fsync && sets > 0 {
		return c.syncDir()
	}
	return nil
}

func (c *client) write(name string, value []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("keyfiles: %w", err)
	}
	_, err = f.Write(value)
	if err == nil && c.fsync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(name)
		return fmt.Errorf("keyfiles: %w", err)
	}
	return nil
}

// syncDir makes the renames themselves durable (fsync: true).
func (c *client) syncDir() error {
	d, err := os.Open(c.dir)
	if err != nil {
		return fmt.Errorf("keyfiles: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("keyfiles: %w", err)
	}
	return nil
}

func (c *client) Close(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return nil
}
