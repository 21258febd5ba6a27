package server

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Transport limits: how long a client may take to send its headers, how big they may be, and
// how many connections may be open at once. Slow clients hold a connection each; the cap keeps
// a crowd of them from exhausting the process, and the deadlines cut each one off.
const (
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultMaxHeaderBytes    = 64 << 10
	DefaultMaxConns          = 1024
	DefaultIdleTimeout       = time.Minute
)

// HTTPServer returns an http.Server for h with cfg's transport limits. The body is read by the
// handler under the request's deadline; ReadTimeout is that deadline plus the header time, a
// backstop for requests the handler never reads.
func HTTPServer(h http.Handler, cfg Config) *http.Server {
	cfg = cfg.withDefaults()
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadHeaderTimeout + cfg.RequestTimeout,
		// Answers are written after the deadline, within answerGrace; a client that does not
		// read its answer is cut off after as long again.
		WriteTimeout:   cfg.ReadHeaderTimeout + 2*cfg.RequestTimeout,
		IdleTimeout:    DefaultIdleTimeout,
		MaxHeaderBytes: cfg.MaxHeaderBytes,
	}
}

// LimitListener accepts at most n connections at once from ln; further clients wait in the
// kernel's backlog until one closes.
func LimitListener(ln net.Listener, n int) net.Listener {
	if n <= 0 {
		return ln
	}
	return &limitListener{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

type limitListener struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.slots }}, nil
}

func (l *limitListener) Close() error {
	err := l.Listener.Close()
	l.closeOnce.Do(func() { close(l.done) })
	return err
}

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
