package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/factgraph/factgraph/web"
)

func serve(t *testing.T, h http.Handler, path string, header map[string]string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

// The build must hold every file the server's routes name, and the pages must load their
// assets from this origin only.
func TestEmbeddedBuildIsComplete(t *testing.T) {
	ui := web.New()
	for name, ctype := range map[string]string{
		"playground.html": "text/html; charset=utf-8",
		"explorer.html":   "text/html; charset=utf-8",
		"favicon.ico":     "image/vnd.microsoft.icon",
		"favicon.svg":     "image/svg+xml",
	} {
		res := serve(t, ui.File(name), "/", nil)
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != ctype || len(body) == 0 {
			t.Errorf("%s: %d %q, %d bytes", name, res.StatusCode, res.Header.Get("Content-Type"), len(body))
		}
		if strings.HasSuffix(name, ".html") {
			if !strings.Contains(res.Header.Get("Content-Security-Policy"), "connect-src 'self'") {
				t.Errorf("%s: CSP %q", name, res.Header.Get("Content-Security-Policy"))
			}
			if bytes.Contains(body, []byte("http://")) || bytes.Contains(body, []byte("https://")) {
				t.Errorf("%s refers to another origin:\n%s", name, body)
			}
		}
	}
	for _, asset := range []string{"/assets/playground.js", "/assets/playground.css", "/assets/explorer.js", "/assets/explorer.css"} {
		if res := serve(t, ui.Assets(), asset, nil); res.StatusCode != 200 {
			t.Errorf("%s: %d", asset, res.StatusCode)
		}
	}
	if res := serve(t, ui.Assets(), "/assets/nothing.js", nil); res.StatusCode != 404 {
		t.Errorf("missing asset: %d", res.StatusCode)
	}
}

func TestGzipAndRevalidation(t *testing.T) {
	ui := web.New()
	plain := serve(t, ui.Assets(), "/assets/playground.js", nil)
	want, _ := io.ReadAll(plain.Body)
	zipped := serve(t, ui.Assets(), "/assets/playground.js", map[string]string{"Accept-Encoding": "br, gzip"})
	if zipped.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("no gzip: %v", zipped.Header)
	}
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(zr)
	if !bytes.Equal(got, want) || len(want) == 0 {
		t.Errorf("gzipped body differs: %d vs %d bytes", len(got), len(want))
	}
	if res := serve(t, ui.Assets(), "/assets/playground.js", map[string]string{"Accept-Encoding": "gzip;q=0"}); res.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip sent though refused")
	}
	etag := plain.Header.Get("ETag")
	if res := serve(t, ui.Assets(), "/assets/playground.js", map[string]string{"If-None-Match": etag}); res.StatusCode != http.StatusNotModified || etag == "" {
		t.Errorf("revalidation with %q: %d", etag, res.StatusCode)
	}
}
