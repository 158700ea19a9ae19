//go:build linux && cgo

package main

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>

// Mesa's loader opens drivers so (loader.c); the same flags make its
// dlopen find this one and only count a reference.
static int dlopen_global(const char *path) {
	return dlopen(path, RTLD_NOW | RTLD_GLOBAL) != NULL;
}
*/
import "C"

import "unsafe"

// dlopenGlobal loads the shared object at path, as Mesa's loader would.
func dlopenGlobal(path string) bool {
	p := C.CString(path)
	defer C.free(unsafe.Pointer(p))
	return C.dlopen_global(p) != 0
}
