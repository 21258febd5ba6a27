// Package web serves factgraph's browser UI: the GraphQL playground and the graph explorer.
// Both are built from web/src by web/build.sh (npm, esbuild) into web/dist, which is committed
// and embedded here, so the binary serves them with no network and no Node.js at run time.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed dist
var dist embed.FS

// contentSecurityPolicy keeps the pages to their own origin: scripts, styles and fonts are
// all served from here (fonts inlined as data: URLs), and the only connection is to this
// server's /graphql. GraphiQL and cytoscape set inline styles, hence 'unsafe-inline' there.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'"

// UI holds the embedded files, each with its ETag and a gzipped copy made once at start.
type UI struct {
	files map[string]*file
}

type file struct {
	body, gz    []byte
	etag, ctype string
}

// New loads the embedded files. Reading an embed.FS cannot fail at run time; that the build
// holds every file the routes name is checked by this package's tests.
func New() *UI {
	u := &UI{files: map[string]*file{}}
	_ = fs.WalkDir(dist, "dist", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := dist.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		f := &file{body: b, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, ctype: mime.TypeByExtension(path.Ext(p))}
		if f.ctype == "" {
			f.ctype = "application/octet-stream"
		}
		if path.Ext(p) == ".txt" {
			f.ctype = "text/plain; charset=utf-8"
		}
		if len(b) > 1024 {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			_, _ = zw.Write(b)
			_ = zw.Close()
			if buf.Len() < len(b) {
				f.gz = buf.Bytes()
			}
		}
		u.files[strings.TrimPrefix(p, "dist/")] = f
		return nil
	})
	return u
}

// File serves one embedded file, such as "playground.html" or "favicon.ico".
func (u *UI) File(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := u.files[name]
		if f == nil {
			http.NotFound(w, r)
			return
		}
		f.serve(w, r)
	})
}

// Assets serves dist/assets/ under the URL prefix /assets/.
func (u *UI) Assets() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := u.files[strings.TrimPrefix(r.URL.Path, "/")]
		if f == nil || !strings.HasPrefix(r.URL.Path, "/assets/") {
			http.NotFound(w, r)
			return
		}
		f.serve(w, r)
	})
}

func (f *file) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("ETag", f.etag)
	// File names carry no hash, so the browser revalidates every time; an unchanged file costs
	// a 304 only.
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	if strings.HasPrefix(f.ctype, "text/html") {
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("Referrer-Policy", "no-referrer")
	}
	h.Add("Vary", "Accept-Encoding")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, f.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := f.body
	if f.gz != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = f.gz
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
