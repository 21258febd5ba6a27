package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/factgraph/factgraph/graph"
)

// Codes of refusals made by the HTTP layer, before GraphQL sees the request. A request out
// of time gets graph.CodeTimeout, the code the GraphQL layer uses for the same thing.
const (
	CodePayloadTooLarge = "PAYLOAD_TOO_LARGE"
	CodeBadRequest      = "BAD_REQUEST"
)

const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// responseMediaType is the media type the answer to r is written in: the GraphQL-over-HTTP
// one when the client asks for it, JSON otherwise (what gqlgen's transports pick too).
func responseMediaType(r *http.Request) string {
	for part := range strings.SplitSeq(r.Header.Get("Accept"), ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		case mediaJSON, "application/*", "*/*":
			return mediaJSON
		}
	}
	return mediaJSON
}

// writeGraphQLError answers with a GraphQL response that has one error and no data entry.
// httpStatus is the status for the graphql-response media type. Over application/json the
// spec wants 200 for any GraphQL response, except where the request never became a GraphQL
// request (a body too large, too slow or malformed), which keeps its 4xx.
func writeGraphQLError(w http.ResponseWriter, r *http.Request, httpStatus int, code, msg string) {
	mt := responseMediaType(r)
	status := httpStatus
	switch httpStatus {
	case http.StatusRequestEntityTooLarge, http.StatusBadRequest, http.StatusRequestTimeout:
	default:
		if mt == mediaJSON {
			status = http.StatusOK
		}
	}
	body, _ := json.Marshal(map[string]any{"errors": []map[string]any{{
		"message": msg, "extensions": map[string]any{"code": code},
	}}})
	w.Header().Set("Content-Type", mt)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// limits reads the whole body under the body limit and the request's deadline, and runs next
// under that deadline. A body over the limit gets 413 whether it announced its length or came
// chunked; a body that arrives too slowly is cut off when the deadline passes.
func limits(cfg Config, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isWebsocket(r) {
			// A subscription lives as long as its client keeps it; it has no body, and its
			// messages are bounded by the websocket transport's read limit.
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), cfg.RequestTimeout)
		defer cancel()
		tooLarge := fmt.Sprintf("the request body is over %d bytes", cfg.MaxBodyBytes)
		if r.ContentLength > cfg.MaxBodyBytes {
			w.Header().Set("Connection", "close")
			writeGraphQLError(w, r, http.StatusRequestEntityTooLarge, CodePayloadTooLarge, tooLarge)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			deadline, _ := ctx.Deadline()
			// Errors mean the connection is not a net.Conn (tests with a recorder): no deadline.
			_ = http.NewResponseController(w).SetReadDeadline(deadline)
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, cfg.MaxBodyBytes))
			_ = http.NewResponseController(w).SetReadDeadline(time.Time{})
			var tooBig *http.MaxBytesError
			switch {
			case errors.As(err, &tooBig):
				writeGraphQLError(w, r, http.StatusRequestEntityTooLarge, CodePayloadTooLarge, tooLarge)
				return
			case err != nil:
				// Most often the deadline: the body came too slowly. Nobody may be listening.
				w.Header().Set("Connection", "close")
				writeGraphQLError(w, r, http.StatusRequestTimeout, graph.CodeTimeout, "the request body did not arrive in time")
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		withDeadline(next).ServeHTTP(w, r.WithContext(ctx))
	})
}

// answerGrace is how long after the deadline a handler may still answer by itself (with its
// own TIMEOUT errors next to whatever data it has) before the client gets a bare TIMEOUT.
const answerGrace = 50 * time.Millisecond

// withDeadline answers by the request's deadline even when the work behind it does not stop
// in time: next runs on its own goroutine into a buffer, and if it has not finished shortly
// after the deadline the client gets a TIMEOUT error and next's late answer is dropped. The
// stores stop their work on the cancelled context; this bounds what the client waits for.
func withDeadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := &bufferedResponse{header: make(http.Header), status: http.StatusOK}
		done := make(chan any, 1)
		go func() {
			defer func() { done <- recover() }()
			next.ServeHTTP(buf, r)
		}()
		var finished bool
		var p any
		select {
		case p = <-done:
			finished = true
		case <-r.Context().Done():
			select {
			case p = <-done:
				finished = true
			case <-time.After(answerGrace):
			}
		}
		if p != nil {
			panic(p)
		}
		if !finished {
			writeGraphQLError(w, r, http.StatusServiceUnavailable, graph.CodeTimeout, "the request took too long and was stopped")
			return
		}
		for k, v := range buf.header {
			w.Header()[k] = v
		}
		w.WriteHeader(buf.status)
		_, _ = w.Write(buf.body.Bytes())
	})
}

// bufferedResponse holds a response until it is known to be in time. gqlgen builds each
// response in memory before writing it, so buffering adds one copy, no new unbounded cost.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) WriteHeader(code int) {
	if !b.wrote {
		b.status, b.wrote = code, true
	}
}
func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.wrote = true
	return b.body.Write(p)
}
