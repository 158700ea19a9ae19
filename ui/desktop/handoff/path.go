package handoff

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
)

// SocketPath is the socket of the profile kept in dataDir: in
// $XDG_RUNTIME_DIR/parley (a per-user tmpfs, gone at logout, so no stale
// socket outlives the session), else in dataDir/run (a directory of its
// own, since Listen takes group and other access away from it). The name
// carries a hash of the profile, so two profiles never share a socket.
func SocketPath(dataDir string) string {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		abs = dataDir
	}
	sum := sha256.Sum256([]byte(abs))
	name := "parley-" + hex.EncodeToString(sum[:6]) + ".sock"
	if rt := os.Getenv("XDG_RUNTIME_DIR"); rt != "" && filepath.IsAbs(rt) {
		return filepath.Join(rt, "parley", name)
	}
	return filepath.Join(dataDir, "run", name)
}
