package sipclient

import (
	"testing"
)

func TestStartQueueServesInOrderWithOneServer(t *testing.T) {
	var q startQueue
	served := make(chan struct{}, 10)
	serve := func() { served <- struct{}{} } // a server that never drains
	subs := make([]*subscription, 1000)
	for i := range subs {
		subs[i] = &subscription{}
		q.push(subs[i], serve)
	}
	<-served
	for i := range subs {
		s, ok := q.pop()
		if !ok || s != subs[i] {
			t.Fatalf("pop %d = %p, %v; want the subscription pushed %d-th", i, s, ok, i)
		}
	}
	if len(served) != 0 {
		t.Fatalf("%d more servers started for 1,000 waiting subscriptions, want one in all", len(served))
	}
	if _, ok := q.pop(); ok {
		t.Fatal("pop from an empty queue succeeded")
	}
	q.push(subs[0], serve) // the server stopped with the queue empty: a new one starts
	<-served
}
