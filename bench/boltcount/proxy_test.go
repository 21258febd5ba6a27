package boltcount

import (
	"testing"
)

// chunked encodes messages as Bolt does: each message in chunks of at most max bytes, then a
// zero-size chunk.
func chunked(max int, msgs ...[]byte) []byte {
	var out []byte
	for _, m := range msgs {
		for len(m) > 0 {
			k := min(max, len(m))
			out = append(out, byte(k>>8), byte(k))
			out = append(out, m[:k]...)
			m = m[k:]
		}
		out = append(out, 0, 0)
	}
	return out
}

func msg(sig byte, payload ...byte) []byte { return append([]byte{0xB3, sig}, payload...) }

// TestScannerCounts feeds a handshake and a message stream split at every possible point and
// checks that RUNs and transactions are counted exactly once each.
func TestScannerCounts(t *testing.T) {
	for _, size := range []int{1, 2, 3, 7, 1<<16 - 1} {
		checkStream(t, size)
	}
}

func checkStream(t *testing.T, chunkSize int) {
	t.Helper()
	check(t, chunkSize, make([]byte, 20))
	// With a manifest answer: version 5.8 and capabilities 0x81 0x01 (a two-byte varint).
	check(t, chunkSize, append(make([]byte, 20), 0, 0, 8, 5, 0x81, 0x01))
}

func check(t *testing.T, chunkSize int, handshake []byte) {
	t.Helper()
	stream := append(handshake, chunked(chunkSize,
		msg(0x01, 1, 2, 3, 4),             // HELLO
		msg(sigRun, 5, 6, 7, 8, 9),        // auto-commit RUN
		msg(0x3F),                         // PULL
		msg(sigBegin, 1),                  // BEGIN
		msg(sigRun, 1, 2),                 // RUN in the transaction
		msg(sigRun, 3),                    // RUN in the transaction
		msg(sigCommit),                    // COMMIT
		msg(sigBegin),                     // BEGIN
		msg(sigRollback),                  // ROLLBACK
		msg(sigRun, make([]byte, 300)...), // a long auto-commit RUN over many chunks
	)...)
	for split := 1; split < len(stream); split++ {
		p := &Proxy{}
		s := &scanner{onMessage: p.message}
		s.feed(stream[:split])
		s.feed(stream[split:])
		if got := p.Counts(); got != (Counts{Runs: 4, Transactions: 4}) {
			t.Fatalf("chunks of %d, split at %d: got %+v, want 4 RUNs, 4 transactions", chunkSize, split, got)
		}
	}
	// One byte at a time.
	p := &Proxy{}
	s := &scanner{onMessage: p.message}
	for i := range stream {
		s.feed(stream[i : i+1])
	}
	if got := p.Counts(); got != (Counts{Runs: 4, Transactions: 4}) {
		t.Fatalf("chunks of %d, bytewise: got %+v", chunkSize, got)
	}
}
