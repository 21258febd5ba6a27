package kg

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"sync"
)

// Read-your-writes across processes. A store behind several stateless factgraph processes (a
// Neo4j cluster) may answer a read from a member that has not yet applied a write the client
// just made through another process. Neo4j's answer is the bookmark: an opaque token naming a
// committed transaction, which a later transaction can be told to wait for. A Consistency
// carries them through one request: the bookmarks its reads must wait for, in; the bookmarks
// of the writes it committed, out. Stores without replicas (the embedded one) ignore it.

// Consistency is one request's bookmarks. It is safe for concurrent use (resolvers of one
// request run concurrently).
type Consistency struct {
	mu      sync.Mutex
	after   []string
	written []string
}

type consistencyKey struct{}

// WithConsistency returns ctx carrying a Consistency whose reads wait for after.
func WithConsistency(ctx context.Context, after []string) (context.Context, *Consistency) {
	c := &Consistency{after: slices.Clone(after)}
	return context.WithValue(ctx, consistencyKey{}, c), c
}

// ConsistencyFrom returns the Consistency of ctx, or nil.
func ConsistencyFrom(ctx context.Context) *Consistency {
	c, _ := ctx.Value(consistencyKey{}).(*Consistency)
	return c
}

// After returns the bookmarks reads must wait for: the client's, and those of writes made
// earlier in the same request.
func (c *Consistency) After() []string {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return append(slices.Clone(c.after), c.written...)
}

// AddWritten records the bookmarks of a committed write.
func (c *Consistency) AddWritten(bookmarks []string) {
	if c == nil || len(bookmarks) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, b := range bookmarks {
		if !slices.Contains(c.written, b) {
			c.written = append(c.written, b)
		}
	}
}

// Written returns the bookmarks of the request's writes.
func (c *Consistency) Written() []string {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.written)
}

// maxBookmarks bounds what a client may ask to wait for.
const maxBookmarks = 16

// EncodeBookmarks makes the token a client gets back and may return: one opaque string.
func EncodeBookmarks(bookmarks []string) string {
	if len(bookmarks) == 0 {
		return ""
	}
	b, _ := json.Marshal(bookmarks)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeBookmarks reads a token EncodeBookmarks made; field names it in errors.
func DecodeBookmarks(field, token string) ([]string, error) {
	if token == "" {
		return nil, nil
	}
	if len(token) > 8192 {
		return nil, Invalid(field, "is longer than 8192 characters")
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	var out []string
	if err == nil {
		err = json.Unmarshal(raw, &out)
	}
	if err != nil {
		return nil, Invalid(field, "is not a bookmark this server gave out")
	}
	if len(out) > maxBookmarks {
		return nil, Invalid(field, "holds more than %d bookmarks", maxBookmarks)
	}
	return out, nil
}
