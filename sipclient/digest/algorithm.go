package digest

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
)

// algorithm is one hash we implement; rank orders them by strength.
type algorithm struct {
	name string // canonical spelling, as echoed in the response
	sess bool
	rank int
	h    func() hash.Hash
}

func (a algorithm) sum(parts ...string) string {
	h := a.h()
	h.Write([]byte(strings.Join(parts, ":")))
	return hex.EncodeToString(h.Sum(nil))
}

var algorithms = []algorithm{
	{"MD5", false, 20, md5.New},
	{"MD5-sess", true, 10, md5.New},
	{"SHA-256", false, 40, sha256.New},
	{"SHA-256-sess", true, 30, sha256.New},
	{"SHA-512-256", false, 60, sha512.New512_256},
	{"SHA-512-256-sess", true, 50, sha512.New512_256},
}

// lookupAlgorithm finds an algorithm by name, case-insensitively; the
// empty name is MD5 (RFC 2617).
func lookupAlgorithm(name string) (algorithm, error) {
	if name == "" {
		name = "MD5"
	}
	for _, a := range algorithms {
		if strings.EqualFold(a.name, name) {
			return a, nil
		}
	}
	return algorithm{}, fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, name)
}

// chooseQOP picks qop=auth when offered, else auth-int; "" is the legacy
// RFC 2069 form when the server offers no qop at all.
func chooseQOP(offered []string) (string, error) {
	if offered == nil {
		return "", nil
	}
	for _, want := range []string{"auth", "auth-int"} {
		for _, q := range offered {
			if q == want {
				return q, nil
			}
		}
	}
	return "", fmt.Errorf("%w: %q", ErrUnsupportedQOP, strings.Join(offered, ","))
}
