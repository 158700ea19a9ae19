package keyringtest

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-im/parley/account"
)

// StoreSecret puts password into the keyring with libsecret's
// secret-tool, independently of Parley, in go-keyring's layout (service
// account.KeyringService, username id).
func StoreSecret(t *testing.T, id, password string) {
	t.Helper()
	cmd := exec.Command("secret-tool", "store", "--label", "parley "+id,
		"service", account.KeyringService, "username", id)
	cmd.Stdin = strings.NewReader(password)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("secret-tool store: %v\n%s", err, out)
	}
}

// LookupSecret reads the password of id with secret-tool.
func LookupSecret(t *testing.T, id string) string {
	t.Helper()
	out, err := exec.Command("secret-tool", "lookup", "service", account.KeyringService, "username", id).Output()
	if err != nil {
		t.Fatalf("secret-tool lookup: %v", err)
	}
	return strings.TrimSuffix(string(out), "\n")
}

// FilesHolding reads every regular file under root and returns the files
// read and those holding one of secrets in the clear. A file that goes
// away during the walk (a temporary one) is not read.
func FilesHolding(root string, secrets ...string) (read, holding []string, err error) {
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		read = append(read, path)
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				holding = append(holding, path)
				break
			}
		}
		return nil
	})
	return read, holding, err
}
