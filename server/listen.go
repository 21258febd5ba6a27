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

// LimitListener serves at most n connections of srv at once from ln. Keep-alive connections
// waiting idle for their next request do not hold a slot against newcomers: when every slot is
// taken and a client arrives, the longest idle connection is closed for it (its client opens a
// new one when it next needs to, as after IdleTimeout). When every connection is busy, the
// newcomer waits, and further clients wait in the kernel's backlog, until one closes or goes
// idle. LimitListener installs srv.ConnState to see which connections are idle.
func LimitListener(ln net.Listener, n int, srv *http.Server) net.Listener {
	if n <= 0 {
		return ln
	}
	l := &limitListener{Listener: ln, n: n, idle: map[*limitConn]time.Time{},
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	prev := srv.ConnState
	srv.ConnState = func(c net.Conn, s http.ConnState) {
		l.connState(c, s)
		if prev != nil {
			prev(c, s)
		}
	}
	return l
}

type limitListener struct {
	net.Listener
	n         int
	mu        sync.Mutex
	open      int                      // connections holding a slot
	idle      map[*limitConn]time.Time // idle keep-alive connections, since when
	wake      chan struct{}            // a slot freed or a connection went idle
	done      chan struct{}
	closeOnce sync.Once
}

func (l *limitListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	for {
		l.mu.Lock()
		if l.open < l.n {
			l.open++
			l.mu.Unlock()
			lc := &limitConn{Conn: c}
			lc.release = func() { l.release(lc) }
			return lc, nil
		}
		var victim *limitConn
		var since time.Time
		for ic, t := range l.idle {
			if victim == nil || t.Before(since) {
				victim, since = ic, t
			}
		}
		if victim != nil {
			delete(l.idle, victim)
		}
		l.mu.Unlock()
		if victim != nil {
			_ = victim.Close() // frees its slot; loop to take it
			continue
		}
		select {
		case <-l.wake:
		case <-l.done:
			_ = c.Close()
			return nil, net.ErrClosed
		}
	}
}

func (l *limitListener) connState(c net.Conn, s http.ConnState) {
	lc, ok := c.(*limitConn)
	if !ok {
		return
	}
	l.mu.Lock()
	if s == http.StateIdle {
		l.idle[lc] = time.Now()
	} else {
		delete(l.idle, lc)
	}
	l.mu.Unlock()
	if s == http.StateIdle {
		l.signal()
	}
}

func (l *limitListener) release(c *limitConn) {
	l.mu.Lock()
	l.open--
	delete(l.idle, c)
	l.mu.Unlock()
	l.signal()
}

func (l *limitListener) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
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
