package kamailio

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Packages are the Debian packages Start needs.
var Packages = []string{
	"kamailio",
	"kamailio-presence-modules",
	"kamailio-sqlite-modules",
	"kamailio-tls-modules",
}

// requiredModules are the .so files from those packages the config loads
// that are not in the base package.
var requiredModules = []string{"presence.so", "presence_xml.so", "db_sqlite.so", "tls.so", "msilo.so", "xcap_server.so", "xhttp.so",
	"rls.so", "pua.so"}

// Require fails t (it never skips) unless the kamailio binary, its modules
// and the SQLite schema scripts are installed, saying how to get them.
func Require(t testing.TB) {
	t.Helper()
	o := Options{}
	if err := o.setDefaults(); err != nil {
		t.Fatal(err)
	}
	require(t, &o)
}

// require is Require for the installation o points at (o has defaults).
func require(t testing.TB, o *Options) {
	t.Helper()
	if msg := missing(o); msg != "" {
		t.Fatalf("kamailio: %s; run scripts/test.sh, which installs it (apt-get install %s)",
			msg, strings.Join(Packages, " "))
	}
}

// missing names the first thing of o's installation that is not there,
// or returns "".
func missing(o *Options) string {
	if _, err := exec.LookPath(o.Binary); err != nil {
		return "binary " + o.Binary + " not found"
	}
	for _, m := range requiredModules {
		if _, err := os.Stat(filepath.Join(o.ModulePath, m)); err != nil {
			return "module " + m + " not installed in " + o.ModulePath
		}
	}
	for _, f := range schemaFiles {
		if _, err := os.Stat(filepath.Join(o.SchemaDir, f)); err != nil {
			return "schema " + f + " not installed in " + o.SchemaDir
		}
	}
	return ""
}
