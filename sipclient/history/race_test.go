//go:build race

package history

// raceEnabled skips the tests that build 100,000-message databases: the
// race detector instruments the transpiled SQLite too, and the fill that
// takes 6 s takes minutes. They exercise volume, not concurrency.
const raceEnabled = true
