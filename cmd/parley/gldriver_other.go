//go:build !linux || !cgo

package main

// dlopenGlobal: elsewhere no driver is preloaded.
func dlopenGlobal(string) bool { return false }
