package keyfilestorage // import "faultline.local/keyfilestorage"

import "errors"

// Config of the `keyfiles` storage extension.
type Config struct {
	// Directory holds one folder per client (component and storage name), one file per key in it.
	Directory string `mapstructure:"directory"`
	// CreateDirectory: make Directory (and its parents) at start when it is missing.
	CreateDirectory bool `mapstructure:"create_directory"`
	// Fsync: flush each value (and the folder's entry) to the disk before Set returns. Off by default, as
	// in file_storage: a value is then in the kernel's page cache when Set returns, so it survives the
	// collector's crash or restart, not the machine's.
	Fsync bool `mapstructure:"fsync"`
}

// Validate says what a config is missing.
func (c *Config) Validate() error {
	if c.Directory == "" {
		return errors.New("keyfiles: directory is empty")
	}
	return nil
}
