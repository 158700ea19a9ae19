package pidf

// aggregate folds tuple states into one: open wins, then closed; tuples of
// unknown basic abstain, so a closed desk phone next to a tuple that only
// carries a note still reads as closed. It returns the index of the
// deciding tuple (highest priority with that state, first on ties), or -1
// when there are no tuples.
func aggregate(tuples []Tuple) (Basic, int) {
	b := BasicUnknown
	for _, t := range tuples {
		if t.Basic == BasicOpen {
			b = BasicOpen
			break
		}
		if t.Basic == BasicClosed {
			b = BasicClosed
		}
	}
	best := -1
	for i, t := range tuples {
		if t.Basic == b && (best < 0 || t.Priority > tuples[best].Priority) {
			best = i
		}
	}
	return b, best
}
