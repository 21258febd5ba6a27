// Package boltcount is a TCP proxy in front of Neo4j that counts the Bolt messages clients
// send: statements (RUN) and transactions (BEGIN, and RUN outside a transaction, which is an
// auto-commit transaction). Each server under test talks to Neo4j through its own proxy, so
// the counts are that server's round trips whatever language its driver is written in.
//
// Only the client-to-server direction is parsed: after the 20-byte handshake, Bolt is a stream
// of messages cut into chunks (a 2-byte big-endian size, then that many bytes; a zero size ends
// a message). A message is a PackStream structure: a marker byte (0xB0 + field count) and a
// signature byte. Drivers that negotiate with the handshake manifest (Bolt 5.7+) send the chosen
// version (00 00 minor major) and a varint of capabilities after the handshake; a client never
// starts its messages with an empty chunk, so two zero bytes there mean the manifest's answer.
// Bolt over WebSocket is not supported (no client here uses it).
package boltcount

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
)

// Bolt request message signatures.
const (
	sigBegin    = 0x11
	sigCommit   = 0x12
	sigRollback = 0x13
	sigRun      = 0x10
	sigReset    = 0x0F
)

// Counts are the messages counted so far.
type Counts struct {
	// Runs is the number of statements sent (RUN messages).
	Runs int64
	// Transactions is BEGINs plus RUNs sent outside an explicit transaction.
	Transactions int64
}

// Sub is c - o.
func (c Counts) Sub(o Counts) Counts {
	return Counts{Runs: c.Runs - o.Runs, Transactions: c.Transactions - o.Transactions}
}

// Proxy forwards connections from its listener to Neo4j and counts what they send.
type Proxy struct {
	ln     net.Listener
	target string
	log    *slog.Logger
	runs   atomic.Int64
	txs    atomic.Int64
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

// Listen starts a proxy on addr (e.g. "127.0.0.1:0") to target ("host:port").
func Listen(addr, target string, log *slog.Logger) (*Proxy, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, log: log, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the address clients connect to.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Counts returns the counts so far.
func (p *Proxy) Counts() Counts {
	return Counts{Runs: p.runs.Load(), Transactions: p.txs.Load()}
}

// Close stops accepting, closes every connection and waits for the forwarding goroutines.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				p.log.Warn("bolt proxy: accept", "err", err)
			}
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.serve(c)
		}()
	}
}

func (p *Proxy) serve(client net.Conn) {
	var d net.Dialer
	server, err := d.DialContext(context.Background(), "tcp", p.target)
	if err != nil {
		p.log.Warn("bolt proxy: dial neo4j", "err", err)
		client.Close()
		return
	}
	if !p.track(client) || !p.track(server) {
		client.Close()
		server.Close()
		return
	}
	defer p.untrack(client)
	defer p.untrack(server)
	done := make(chan struct{})
	go func() {
		io.Copy(client, server) //nolint:errcheck // ends when either side closes
		client.Close()
		close(done)
	}()
	p.forward(server, client)
	server.Close()
	<-done
}

// forward copies client bytes to server, parsing the message stream on the way.
func (p *Proxy) forward(dst io.Writer, src io.Reader) {
	s := &scanner{onMessage: p.message}
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			s.feed(buf[:n])
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// message counts one client message by its signature. inTx is per connection, hence the
// scanner passes its state.
func (p *Proxy) message(s *scanner, sig byte) {
	switch sig {
	case sigBegin:
		s.inTx = true
		p.txs.Add(1)
	case sigCommit, sigRollback, sigReset:
		s.inTx = false
	case sigRun:
		p.runs.Add(1)
		if !s.inTx {
			p.txs.Add(1)
		}
	}
}

// scanner follows the chunked message stream of one connection.
type scanner struct {
	onMessage func(*scanner, byte)
	handshake int // bytes of the 20-byte handshake seen
	// The chunk header being read (hdrLen bytes of it so far), the bytes left in the current
	// chunk, and how many bytes of the current message were seen (its signature is byte 1).
	hdr     [2]byte
	hdrLen  int
	left    int
	msgSeen int
	inTx    bool
	// manifest counts the bytes after the handshake until the first chunk header or the end
	// of a manifest answer; then it is manifestDone.
	manifest int
}

const manifestDone = -1

func (s *scanner) feed(b []byte) {
	for len(b) > 0 {
		if s.handshake < 20 {
			k := min(20-s.handshake, len(b))
			s.handshake += k
			b = b[k:]
			continue
		}
		if s.manifest >= 0 {
			// After the handshake: two zero bytes are a manifest answer (version 00 00 minor
			// major, then a capabilities varint whose bytes with the high bit set continue it).
			// Anything else was the first chunk header, read below.
			if s.manifest < 2 {
				s.hdr[s.manifest] = b[0]
				s.manifest++
				b = b[1:]
				if s.manifest == 2 && (s.hdr[0] != 0 || s.hdr[1] != 0) {
					s.manifest = manifestDone
					s.left = int(s.hdr[0])<<8 | int(s.hdr[1])
				}
				continue
			}
			if s.manifest < 4 {
				s.manifest++
			} else if b[0]&0x80 == 0 {
				s.manifest = manifestDone
			}
			b = b[1:]
			continue
		}
		if s.left == 0 {
			s.hdr[s.hdrLen] = b[0]
			s.hdrLen++
			b = b[1:]
			if s.hdrLen < 2 {
				continue
			}
			s.hdrLen = 0
			s.left = int(s.hdr[0])<<8 | int(s.hdr[1])
			if s.left == 0 { // end of message
				s.msgSeen = 0
			}
			continue
		}
		k := min(s.left, len(b))
		if s.msgSeen <= 1 && s.msgSeen+k > 1 {
			s.onMessage(s, b[1-s.msgSeen])
		}
		s.msgSeen += k
		s.left -= k
		b = b[k:]
	}
}
