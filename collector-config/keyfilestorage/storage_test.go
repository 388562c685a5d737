package keyfilestorage

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

var queueID = component.MustNewIDWithName("otlp", "jaeger")

// open starts the extension on dir as the collector would and returns a client of an exporter's queue.
func open(t testing.TB, dir string, fsync bool) storage.Client {
	t.Helper()
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.Directory, cfg.Fsync = dir, fsync
	ext, err := f.Create(context.Background(), extensiontest.NewNopSettings(Type), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := ext.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	c, err := ext.(storage.Extension).GetClient(context.Background(), component.KindExporter, queueID, "traces")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The persistent queue's own sequence: put (metadata and item in one batch), read (metadata set, item got),
// acknowledge (metadata set, item deleted), with a restart in the middle.
func TestThePersistentQueuesSequenceSurvivesARestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	c := open(t, dir, false)
	for i, item := range []string{"0", "1"} {
		if err := c.Batch(ctx, storage.SetOperation("qmv0", []byte{byte(i)}), storage.SetOperation(item, []byte("spans "+item))); err != nil {
			t.Fatal(err)
		}
	}
	get := storage.GetOperation("0")
	if err := c.Batch(ctx, storage.SetOperation("qmv0", []byte("read 0")), get); err != nil || string(get.Value) != "spans 0" {
		t.Fatalf("read item 0: %q, %v", get.Value, err)
	}
	if err := c.Batch(ctx, storage.SetOperation("qmv0", []byte("done 0")), storage.DeleteOperation("0")); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Set(ctx, "x", nil); err == nil {
		t.Error("a closed client took a Set")
	}

	again := open(t, dir, false)
	for key, want := range map[string]string{"qmv0": "done 0", "0": "", "1": "spans 1"} {
		got, err := again.Get(ctx, key)
		if err != nil || string(got) != want {
			t.Errorf("after the restart %q = %q (%v), want %q", key, got, err, want)
		}
	}
}

func TestAnInterruptedSetLeavesTheOldValueAndNoTemporaryFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	c := open(t, dir, true)
	if err := c.Set(ctx, "qmv0", []byte("old")); err != nil {
		t.Fatal(err)
	}
	// What a crash between writing and renaming leaves.
	cl := c.(*client)
	if err := os.WriteFile(cl.path("qmv0")+".0"+tempSuffix, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	again := open(t, dir, true)
	if got, _ := again.Get(ctx, "qmv0"); string(got) != "old" {
		t.Errorf("got %q, want the old value", got)
	}
	if left, _ := filepath.Glob(filepath.Join(cl.dir, "*"+tempSuffix)); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestKeysAndNamesStayInTheirFolder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	c := open(t, dir, false)
	for _, key := range []string{"../../escape", "/etc/passwd", "", ".", "a/b"} {
		if err := c.Set(ctx, key, []byte(key)); err != nil {
			t.Fatalf("Set(%q): %v", key, err)
		}
		if got, _ := c.Get(ctx, key); string(got) != key {
			t.Errorf("Get(%q) = %q", key, got)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "exporter_otlp_jaeger_traces.keyfiles" {
		t.Errorf("folders: %v", entries)
	}
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.Directory = dir
	ext, _ := f.Create(ctx, extensiontest.NewNopSettings(Type), cfg)
	_ = ext.Start(ctx, componenttest.NewNopHost())
	if _, err := ext.(storage.Extension).GetClient(ctx, component.KindReceiver, component.MustNewIDWithName("otlp", "a"), "../x"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "receiver_otlp_a_..%2Fx.keyfiles")); err != nil {
		t.Errorf("a storage name with a slash is not escaped: %v", err)
	}
}

func TestConfig(t *testing.T) {
	if err := (&Config{}).Validate(); err == nil {
		t.Error("an empty directory is accepted")
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ext, _ := NewFactory().Create(context.Background(), extensiontest.NewNopSettings(Type), &Config{Directory: file})
	if err := ext.Start(context.Background(), componenttest.NewNopHost()); err == nil {
		t.Error("a file as the directory starts")
	}
	missing := &Config{Directory: filepath.Join(t.TempDir(), "missing")}
	ext, _ = NewFactory().Create(context.Background(), extensiontest.NewNopSettings(Type), missing)
	if err := ext.Start(context.Background(), componenttest.NewNopHost()); err == nil {
		t.Error("a missing directory starts without create_directory")
	}
}

// Any sequence of operations, with restarts, reads back what a map would hold.
func FuzzOperations(f *testing.F) {
	f.Add([]byte{0, 1, 2, 1, 3, 1, 4, 0, 2})
	f.Add([]byte{0, 0, 0, 4, 1, 0, 2, 0, 5, 3, 3})
	f.Fuzz(func(t *testing.T, program []byte) {
		ctx := context.Background()
		dir := t.TempDir()
		c := open(t, dir, false)
		model := map[string][]byte{}
		keys := []string{"qmv0", "0", "1", "../k", ""}
		for i := 0; i+1 < len(program) && i < 200; i += 2 {
			key := keys[int(program[i+1])%len(keys)]
			switch program[i] % 6 {
			case 0, 1:
				v := []byte{program[i], byte(i)}
				if err := c.Set(ctx, key, v); err != nil {
					t.Fatal(err)
				}
				model[key] = v
			case 2:
				if err := c.Delete(ctx, key); err != nil {
					t.Fatal(err)
				}
				delete(model, key)
			case 3: // a batch: set this key, read it back, delete the next one
				next := keys[(int(program[i+1])+1)%len(keys)]
				get := storage.GetOperation(key)
				if err := c.Batch(ctx, storage.SetOperation(key, []byte{9}), get, storage.DeleteOperation(next)); err != nil {
					t.Fatal(err)
				}
				if string(get.Value) != "\x09" && key != next {
					t.Fatalf("a Get after a Set in one batch read %q", get.Value)
				}
				model[key] = []byte{9}
				delete(model, next)
			case 4:
				_ = c.Close(ctx)
				c = open(t, dir, false)
			}
			for _, k := range keys {
				got, err := c.Get(ctx, k)
				if err != nil || string(got) != string(model[k]) || (got == nil) != (model[k] == nil) {
					t.Fatalf("step %d: %q = %v (%v), want %v", i, k, got, err, model[k])
				}
			}
		}
	})
}
