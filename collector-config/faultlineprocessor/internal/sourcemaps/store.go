// Package sourcemaps reads the source-map store that `faultline sourcemaps upload` writes, parses maps with
// github.com/go-sourcemap/sourcemap and keeps them in an LRU cache bounded by bytes. Nothing here trusts
// what it reads: a frame's URL, a service or release name, a map or an index can be hostile.
package sourcemaps // import "faultline.local/faultlineprocessor/internal/sourcemaps"

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Store layout (packages/cli/src/store.ts writes the same; see the component README):
//
//	<root>/v1/<service>/<release>/<sha256(url)>.map             the source map, as the bundler wrote it
//	<root>/v1/<service>/<release>/<sha256(url)>.functions.json  enclosing-function index built at upload
//	<root>/v1/debug-ids/<debug id>.map (+ .functions.json)      the same, by ECMA-426 debug ID
//
// url is the bundle's URL without query and fragment. Service and release are escaped (Segment): a path
// is built from escaped names and hex digits only, so no frame, resource or release can reach outside root.
const layoutVersion = "v1"

// MaxSegmentLength bounds an escaped service or release name (file systems allow 255 bytes per name).
const MaxSegmentLength = 200

// ErrNotFound: no map was uploaded for this file.
var ErrNotFound = errors.New("no map")

// Store is a directory of uploaded maps.
type Store struct {
	root string
	// maxBytes is the largest map (or index) read; a larger file is refused unread.
	maxBytes int64
}

// NewStore returns the store under root.
func NewStore(root string, maxBytes int64) *Store { return &Store{root: root, maxBytes: maxBytes} }

// Segment escapes a service or release name into one path segment: bytes other than [A-Za-z0-9_.-]
// become %XX, and a leading '.' too (no "." or ".." segment, no hidden file). "" and over-long names
// are refused.
func Segment(name string) (string, bool) {
	if name == "" {
		return "", false
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' && i > 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	if b.Len() > MaxSegmentLength {
		return "", false
	}
	return b.String(), true
}

// FileKey is the bundle URL's key: sha256 of the URL without query and fragment, in hex.
func FileKey(url string) string {
	if i := strings.IndexAny(url, "?#"); i >= 0 {
		url = url[:i]
	}
	sum := sha256.Sum256([]byte(url))
	return hex.EncodeToString(sum[:])
}

// Path of the map for (service, release, url); ok is false when a name cannot be a segment.
func (s *Store) Path(service, release, url string) (string, bool) {
	svc, ok1 := Segment(service)
	rel, ok2 := Segment(release)
	if !ok1 || !ok2 {
		return "", false
	}
	return filepath.Join(s.root, layoutVersion, svc, rel, FileKey(url)+".map"), true
}

// IndexPath is the enclosing-function index beside a map.
func IndexPath(mapPath string) string {
	return strings.TrimSuffix(mapPath, ".map") + ".functions.json"
}

// ErrTooLarge: the file is larger than the store's limit.
var ErrTooLarge = errors.New("map too large")

// read returns a regular file's bytes, refusing anything larger than maxBytes; ErrNotFound when absent.
func (s *Store) read(path string) ([]byte, error) {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("unreadable store: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file")
	}
	if info.Size() > s.maxBytes {
		return nil, ErrTooLarge
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("unreadable store: %w", err)
	}
	defer f.Close()
	// The file may grow between Lstat and read: read one byte past the limit to notice.
	b, err := io.ReadAll(io.LimitReader(f, s.maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("unreadable store: %w", err)
	}
	if int64(len(b)) > s.maxBytes {
		return nil, ErrTooLarge
	}
	return b, nil
}

// DebugIDPath is where the CLI files a map by its ECMA-426 debug ID (lower-cased UUID); ok is false for
// anything that is not a UUID. The processor looks maps up by URL (a browser stack carries no debug ID);
// this is the layout's other half, for an agent that sends them.
func (s *Store) DebugIDPath(id string) (string, bool) {
	if !debugID.MatchString(id) {
		return "", false
	}
	return filepath.Join(s.root, layoutVersion, "debug-ids", strings.ToLower(id)+".map"), true
}

var debugID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
