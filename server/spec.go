package server

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
)

// graphQLOverHTTP corrects what gqlgen's transports send against the GraphQL-over-HTTP
// specification when a request fails before execution (it does not parse or validate, or a
// document limit refuses it): gqlgen answers 422 under application/json, where the spec wants
// 200 (a JSON client reads the errors from the body), and in both media types it writes
// `"data": null`, where a request error must have no data entry at all.
// application/graphql-response+json rightly gets 400 from gqlgen.
func graphQLOverHTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&specResponse{ResponseWriter: w}, r)
	})
}

type specResponse struct {
	http.ResponseWriter
	requestError bool
}

func (s *specResponse) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *specResponse) WriteHeader(code int) {
	if code == http.StatusUnprocessableEntity || code == http.StatusBadRequest {
		s.requestError = true
		s.Header().Del("Content-Length")
	}
	if code == http.StatusUnprocessableEntity {
		if mt, _, _ := mime.ParseMediaType(s.Header().Get("Content-Type")); mt == mediaJSON {
			code = http.StatusOK
		}
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write drops a null data entry from a request error. gqlgen writes a response in one Write.
func (s *specResponse) Write(p []byte) (int, error) {
	if !s.requestError {
		return s.ResponseWriter.Write(p)
	}
	var resp map[string]json.RawMessage
	if err := json.Unmarshal(p, &resp); err == nil && bytes.Equal(resp["data"], []byte("null")) {
		delete(resp, "data")
		if b, err := json.Marshal(resp); err == nil {
			if _, err := s.ResponseWriter.Write(b); err != nil {
				return 0, err
			}
			return len(p), nil
		}
	}
	return s.ResponseWriter.Write(p)
}
