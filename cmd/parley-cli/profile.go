package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile to the file $PARLEY_CPUPROFILE names,
// if set, until the returned stop runs: how scripts/measure-incoming.sh
// (PROFILE=dir) sees where the incoming path spends its time.
func startProfile() (stop func(), err error) {
	path := os.Getenv("PARLEY_CPUPROFILE")
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
