package kamailio

import (
	"crypto/md5"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"sort"

	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// schemaFiles are the Debian db_sqlite scripts for the tables the loaded
// modules use: version, subscriber (auth_db), location (usrloc),
// presentity/active_watchers/watchers/xcap/pua (presence, presence_xml)
// and silo (msilo). Each script also inserts its own version rows.
var schemaFiles = []string{
	"standard-create.sql",
	"auth_db-create.sql",
	"usrloc-create.sql",
	"presence-create.sql",
	"msilo-create.sql",
	"rls-create.sql",
}

// createDB makes the SQLite database at path with the module tables and
// one subscriber row per user. WAL journaling (persistent in the file)
// lets Kamailio's processes read while one of them writes; db_sqlite sets
// no busy timeout, so concurrent writers can still see "database is
// locked".
func createDB(path, schemaDir, realm, algorithm string, users map[string]string) error {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return fmt.Errorf("kamailio: open db: %w", err)
	}
	defer db.Close()
	if _, err := db.Exec("PRAGMA journal_mode=" + journalMode); err != nil {
		return fmt.Errorf("kamailio: db journal mode: %w", err)
	}
	for _, name := range schemaFiles {
		text, err := os.ReadFile(filepath.Join(schemaDir, name))
		if err != nil {
			return fmt.Errorf("kamailio: schema: %w", err)
		}
		if _, err := db.Exec(string(text)); err != nil {
			return fmt.Errorf("kamailio: schema %s: %w", name, err)
		}
	}
	return insertUsers(db, realm, algorithm, users)
}

func insertUsers(db *sql.DB, realm, algorithm string, users map[string]string) error {
	names := make([]string, 0, len(users))
	for name := range users {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		pass := users[name]
		_, err := db.Exec(`INSERT INTO subscriber (username, domain, password, ha1, ha1b)
			VALUES (?, ?, '', ?, ?)`, name, realm,
			HA1(algorithm, name, realm, pass), HA1(algorithm, name+"@"+realm, realm, pass))
		if err != nil {
			return fmt.Errorf("kamailio: add user %s: %w", name, err)
		}
	}
	return nil
}

// HA1 is the digest HA1, hex H(user:realm:password), with H being MD5 or
// SHA-256 (RFC 7616 §3.4.2). The subscriber table stores it as ha1 and,
// with user "user@realm", as ha1b; auth_db compares it as stored.
func HA1(algorithm, user, realm, password string) string {
	return hexHash(algorithm, user+":"+realm+":"+password)
}

func hexHash(algorithm, s string) string {
	var h hash.Hash
	if algorithm == SHA256 {
		h = sha256.New()
	} else {
		h = md5.New()
	}
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil))
}
