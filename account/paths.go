package account

import (
	"fmt"
	"os"
	"path/filepath"
)

// ConfigDir is where Parley keeps its settings: $PARLEY_CONFIG_DIR if set
// (tests, portable installs), else $XDG_CONFIG_HOME/parley, else
// ~/.config/parley.
func ConfigDir() (string, error) {
	return xdgDir("PARLEY_CONFIG_DIR", "XDG_CONFIG_HOME", ".config")
}

// DataDir is where Parley keeps data such as history: $PARLEY_DATA_DIR,
// else $XDG_DATA_HOME/parley, else ~/.local/share/parley.
func DataDir() (string, error) {
	return xdgDir("PARLEY_DATA_DIR", "XDG_DATA_HOME", filepath.Join(".local", "share"))
}

func xdgDir(override, xdg, fallback string) (string, error) {
	if d := os.Getenv(override); d != "" {
		return d, nil
	}
	if d := os.Getenv(xdg); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "parley"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("account: no home directory for settings: %w", err)
	}
	return filepath.Join(home, fallback, "parley"), nil
}
