package kamailio

import (
	"fmt"
	"os"
	"path/filepath"
)

// rlsTextDir holds the db_text tables of the resource list server.
const rlsTextDir = "rls-text"

// rlsTextTables are the db_text tables rls keeps its subscriptions and
// its resources' state in
// (the schema of Kamailio's dbtext/kamailio files).
var rlsTextTables = map[string]string{
	"version": "id(int,auto) table_name(string) table_version(int) \n0:rls_presentity:1\n0:rls_watchers:3\n",
	"rls_watchers": "id(int,auto) presentity_uri(string) to_user(string) to_domain(string) watcher_username(string) " +
		"watcher_domain(string) event(string) event_id(string,null) to_tag(string) from_tag(string) callid(string) " +
		"local_cseq(int) remote_cseq(int) contact(string) record_route(string,null) expires(int) status(int) reason(string) " +
		"version(int) socket_info(string) local_contact(string) from_user(string) from_domain(string) updated(int) \n",
	"rls_presentity": "id(int,auto) rlsubs_did(string) resource_uri(string) content_type(string) presence_state(string) expires(int) updated(int) auth_state(int) reason(string) \n",
}

func writeRLSText(dir string) error {
	d := filepath.Join(dir, rlsTextDir)
	if err := os.MkdirAll(d, 0o700); err != nil {
		return fmt.Errorf("kamailio: %w", err)
	}
	for name, text := range rlsTextTables {
		if err := os.WriteFile(filepath.Join(d, name), []byte(text), 0o600); err != nil {
			return fmt.Errorf("kamailio: %w", err)
		}
	}
	return nil
}
