package fifo

import (
	"testing"
	"time"
)

func TestOrderAndCloseDrains(t *testing.T) {
	q := New[int]()
	for i := range 1000 {
		q.Push(i)
	}
	q.Close()
	q.Push(-1) // after Close: dropped
	want := 0
	for v := range q.Out() {
		if v != want {
			t.Fatalf("got %d, want %d", v, want)
		}
		want++
	}
	if want != 1000 {
		t.Errorf("delivered %d, want 1000", want)
	}
}

func TestAbandonEndsWithoutReader(t *testing.T) {
	q := New[int]()
	q.Push(1)
	q.Push(2)
	q.Abandon()
	select {
	case <-drained(q):
	case <-time.After(5 * time.Second):
		t.Fatal("abandoned queue still delivering")
	}
}

// drained closes once Out is closed, reading at most one value.
func drained(q *Queue[int]) <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		for range q.Out() {
		}
		close(ch)
	}()
	return ch
}
