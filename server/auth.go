package server

import (
	"bufio"
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/factgraph/factgraph/kg"
)

// WriteToken is one bearer token that may run mutations, with the name its writes are
// recorded under (kg.WithWriter). The name is public (logs, history); the token never is.
type WriteToken struct {
	Name  string
	Token string
}

var tokenName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// ParseWriteTokens reads tokens as `name token` or `name:token`, one per line or separated by
// commas; blank lines and lines starting with # are skipped. It refuses a malformed line, a
// bad or repeated name, and a token given twice, naming the line but never the token.
func ParseWriteTokens(r io.Reader, source string) ([]WriteToken, error) {
	var out []WriteToken
	names, tokens := map[string]bool{}, map[string]bool{}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		for entry := range strings.SplitSeq(sc.Text(), ",") {
			entry = strings.TrimSpace(entry)
			if entry == "" || strings.HasPrefix(entry, "#") {
				continue
			}
			name, token, ok := strings.Cut(entry, ":")
			if !ok {
				f := strings.Fields(entry)
				if len(f) == 2 {
					name, token, ok = f[0], f[1], true
				}
			}
			name, token = strings.TrimSpace(name), strings.TrimSpace(token)
			switch {
			case !ok || token == "" || strings.ContainsAny(token, " \t"):
				return nil, fmt.Errorf("%s:%d: want `name token` or `name:token`", source, line)
			case !tokenName.MatchString(name):
				return nil, fmt.Errorf("%s:%d: token name %q: use letters, digits and ._@- (at most 64)", source, line, name)
			case names[name]:
				return nil, fmt.Errorf("%s:%d: token name %q given twice", source, line, name)
			case tokens[token]:
				return nil, fmt.Errorf("%s:%d: the token of %q is also another name's token", source, line, name)
			}
			names[name], tokens[token] = true, true
			out = append(out, WriteToken{Name: name, Token: token})
		}
	}
	return out, sc.Err()
}

type mayWriteKey struct{}

// authenticate decides who may write before GraphQL runs: a request with a known bearer token
// may, under that token's name (kg.WithWriter); without tokens configured, anyone may unless
// anonymous writes are refused (main refuses them on a non-loopback address). Queries never
// need a token. Every token is compared, in constant time, whatever matched first.
func authenticate(configured []WriteToken, refuseAnonymous bool, next http.Handler) http.Handler {
	var tokens []WriteToken // an empty token would let an empty bearer in: never one
	for _, t := range configured {
		if t.Token != "" {
			tokens = append(tokens, t)
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var verdict error
		switch {
		case len(tokens) == 0 && !refuseAnonymous:
			verdict = nil
		case len(tokens) == 0:
			verdict = &kg.Error{Code: kg.CodeForbidden, Message: "this server takes no writes: it listens beyond loopback and has no write tokens " +
				"(start it with -write-tokens-file, or -allow-anonymous-writes)"}
		default:
			got, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			name := ""
			for _, t := range tokens {
				if subtle.ConstantTimeCompare([]byte(got), []byte(t.Token)) == 1 {
					name = t.Name
				}
			}
			if !found || name == "" {
				verdict = &kg.Error{Code: kg.CodeUnauthorized, Message: "mutations need a write token: send Authorization: Bearer <token>"}
			} else {
				ctx = kg.WithWriter(ctx, name)
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, mayWriteKey{}, verdict)))
	})
}

// authorizeWrite returns why the request may not write, or nil.
func authorizeWrite(ctx context.Context) error {
	err, _ := ctx.Value(mayWriteKey{}).(error)
	return err
}
