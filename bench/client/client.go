// Package client posts requests to the servers under test: GraphQL over HTTP for factgraph and
// the anchor, plain JSON for the raw-driver server.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Client is an HTTP client with enough idle connections for the benchmark's concurrency, so
// every request reuses a kept-alive connection as a browser or an app would.
type Client struct {
	hc *http.Client
}

// New makes a client whose requests time out after timeout.
func New(timeout time.Duration) *Client {
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute}
	return &Client{hc: &http.Client{Transport: tr, Timeout: timeout}}
}

// Post sends body as JSON to url and returns the response body; a status other than 200 is an
// error that quotes the start of the body.
func (c *Client) Post(ctx context.Context, url string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d: %.300s", url, resp.StatusCode, out)
	}
	return out, nil
}

// GraphQL is one GraphQL request.
type GraphQL struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables,omitempty"`
}

// GraphQLError is the errors list of a response that had any.
type GraphQLError struct {
	Messages []string
}

func (e *GraphQLError) Error() string { return fmt.Sprintf("graphql: %v", e.Messages) }

// Query posts a GraphQL request and returns its data; errors in the response are an error.
func (c *Client) Query(ctx context.Context, url string, q GraphQL) (json.RawMessage, error) {
	body, err := json.Marshal(q)
	if err != nil {
		return nil, err
	}
	raw, err := c.Post(ctx, url, body)
	if err != nil {
		return nil, err
	}
	var resp struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		return nil, fmt.Errorf("graphql response: %w: %.200s", err, raw)
	}
	if len(resp.Errors) > 0 {
		ge := &GraphQLError{}
		for _, e := range resp.Errors {
			ge.Messages = append(ge.Messages, e.Message)
		}
		return nil, ge
	}
	return resp.Data, nil
}
