package seed

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/goccy/go-yaml"
)

// claimsRegister is a claims register, data/claims/<seed file name>: every claim of the
// article a seed file comes from, with the sentence it comes from and the ids that represent
// it (the header of data/claims/2025-03-energy-ceasefire.yaml says more).
type claimsRegister struct {
	Seed    string `yaml:"seed"`
	Article struct {
		Path   string `yaml:"path"`
		SHA256 string `yaml:"sha256"`
	} `yaml:"article"`
	Claims []struct {
		Claim    string   `yaml:"claim"`
		Sentence string   `yaml:"sentence"`
		By       string   `yaml:"by"`
		IDs      []string `yaml:"ids"`
		Note     string   `yaml:"note"`
	} `yaml:"claims"`
	Unrepresented []struct {
		Sentence string `yaml:"sentence"`
		Why      string `yaml:"why"`
	} `yaml:"unrepresented"`
}

// sourceText returns a source article named by its path under the shared directory
// ("shared/source/article.txt"). The articles are not in the repository (the source's README
// asks that their paragraphs not be copied in): the shared directory sits beside the clone in
// CI and above the worktrees in development, so the search walks up from the package. Without
// the file the test skips, except under CI, where a skipped audit would pass unnoticed.
func sourceText(t *testing.T, rel string) []byte {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel))); err == nil {
			return b
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not in any directory above the package; CI must provide it", rel)
	}
	t.Skipf("%s is not in any directory above the package", rel)
	return nil
}

func loadRegisters(t *testing.T) map[string]*claimsRegister {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("data", "claims", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no claims registers in data/claims: %v", err)
	}
	regs := map[string]*claimsRegister{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var r claimsRegister
		if err := yaml.UnmarshalWithOptions(data, &r, yaml.Strict()); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if r.Seed != filepath.Base(f) {
			t.Errorf("%s: seed %q, want the seed file of the same name", f, r.Seed)
		}
		regs[f] = &r
	}
	return regs
}

// Every seed file has a register, so no seed can grow claims that nobody audits.
func TestEverySeedFileHasAClaimsRegister(t *testing.T) {
	seeds, _ := filepath.Glob(filepath.Join("data", "*.yaml"))
	if len(seeds) == 0 {
		t.Fatal("no seed files")
	}
	for _, s := range seeds {
		if _, err := os.Stat(filepath.Join("data", "claims", filepath.Base(s))); err != nil {
			t.Errorf("%s has no claims register: %v", s, err)
		}
	}
}

// The register against the seed: every id it lists exists, every relation is listed under
// some claim, and every claim says what it is, who asserts it and what represents it.
func TestClaimsRegisterMatchesTheSeed(t *testing.T) {
	for f, r := range loadRegisters(t) {
		name := path.Join("data", r.Seed)
		data, err := os.ReadFile(filepath.FromSlash(name))
		if err != nil {
			t.Fatalf("%s: seed: %v", f, err)
		}
		b, err := Parse(name, data)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, s := range b.Sources {
			ids[s.ID] = true
		}
		for _, e := range b.Entities {
			ids[e.ID] = true
		}
		for _, rel := range b.Relations {
			ids[rel.ID] = true
		}
		listed := map[string]bool{}
		if len(r.Claims) == 0 {
			t.Errorf("%s lists no claims", f)
		}
		for i, c := range r.Claims {
			if c.Claim == "" || c.Sentence == "" || c.By == "" || len(c.IDs) == 0 {
				t.Errorf("%s: claims[%d] %q: claim, sentence, by and ids are all required", f, i, c.Claim)
			}
			for _, id := range c.IDs {
				if !ids[id] {
					t.Errorf("%s: claims[%d] %q: %s is not in %s", f, i, c.Claim, id, name)
				}
				listed[id] = true
			}
			if len(slices.Compact(slices.Sorted(slices.Values(c.IDs)))) != len(c.IDs) {
				t.Errorf("%s: claims[%d] %q lists an id twice: %v", f, i, c.Claim, c.IDs)
			}
		}
		for i, rel := range b.Relations {
			if !listed[rel.ID] {
				t.Errorf("%s:%d: relation %s is listed under no claim of %s", name, b.RelationOrigins[i].Line, rel.ID, f)
			}
		}
		for i, u := range r.Unrepresented {
			if u.Sentence == "" || u.Why == "" {
				t.Errorf("%s: unrepresented[%d]: sentence and why are required", f, i)
			}
		}
	}
}

// The register against the article: it is the article the register was written from, every
// sentence is the article's own words, the claims follow the article's order, and no line of
// the article is left out (each is a listed sentence, as a claim or as unrepresented).
func TestClaimsRegisterMatchesTheArticle(t *testing.T) {
	for f, r := range loadRegisters(t) {
		text := sourceText(t, r.Article.Path)
		sum := sha256.Sum256(text)
		if got := hex.EncodeToString(sum[:]); got != r.Article.SHA256 {
			t.Fatalf("%s: %s has SHA-256 %s, the register was written from %s: audit the seed against the changed article, then update the hash", f, r.Article.Path, got, r.Article.SHA256)
		}
		article := string(text)
		covered := make([]bool, len(article))
		cover := func(s string) bool {
			found := false
			for from := 0; s != ""; {
				i := strings.Index(article[from:], s)
				if i < 0 {
					break
				}
				found = true
				for k := from + i; k < from+i+len(s); k++ {
					covered[k] = true
				}
				from += i + len(s)
			}
			return found
		}
		last := -1
		for i, c := range r.Claims {
			if !cover(c.Sentence) {
				t.Errorf("%s: claims[%d] %q: sentence is not in the article: %q", f, i, c.Claim, c.Sentence)
				continue
			}
			at := strings.Index(article, c.Sentence)
			if at < last {
				t.Errorf("%s: claims[%d] %q comes before the claim above it in the article", f, i, c.Claim)
			}
			last = at
		}
		for i, u := range r.Unrepresented {
			if !cover(u.Sentence) {
				t.Errorf("%s: unrepresented[%d]: not in the article: %q", f, i, u.Sentence)
			}
		}
		start := 0
		for n, line := range strings.SplitAfter(article, "\n") {
			for k, ch := range line {
				if (unicode.IsLetter(ch) || unicode.IsDigit(ch)) && !covered[start+k] {
					t.Errorf("%s: line %d of the article is not fully listed (from %q)", f, n+1, strings.TrimSpace(line[k:]))
					break
				}
			}
			start += len(line)
		}
	}
}
