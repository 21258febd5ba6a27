package embedded

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"

	"github.com/factgraph/factgraph/kg"
)

// Search ranks entities the way a Lucene full-text index over name, aliases and description
// with fuzzy and prefix queries roughly would, so that results look alike on both stores (the
// scores themselves differ). A query term matches a word of a field value as
//
//	exact word                                   1.0
//	term is a prefix of the word ("zelensky")    0.7
//	within edit distance 1 (terms of ≥4 runes)
//	or 2 (terms of ≥8 runes) ("zelenskiy")       0.5
//
// and a value scores its best word match, times the field's weight (name 3, alias 2,
// description 1), times 1/√(words in the value): Lucene's length norm, so that "Volodymyr
// Zelenskyy" outranks "Trump–Zelenskyy phone call" for "zelenskyy". As in a Lucene query over
// several fields, the fields' scores add up (name + best alias + description), and the terms'
// scores add up. An entity that matches no term is not a hit; ties break on id.
const (
	weightName        = 3
	weightAlias       = 2
	weightDescription = 1

	scoreExact  = 1.0
	scorePrefix = 0.7
	scoreFuzzy  = 0.5

	// fuzzyMinRunes: shorter terms must match exactly or as a prefix. Longer ones may be one
	// edit (a swap of neighbours counts as one) away, as the Neo4j store's Lucene "~1" allows:
	// two edits would let "zelenskyi" find "zelenska".
	fuzzyMinRunes = 4
)

// fieldValue is one searchable text, split and folded as query text is (kg.SearchTerms).
type fieldValue struct {
	words []word  // without repeats
	norm  float64 // 1/√(number of words, repeats included)
}

// word is an indexed word, with its runes converted once on write rather than per search.
type word struct {
	text  string
	runes []rune
}

func valueOf(text string) fieldValue {
	ws := kg.SearchTerms(text)
	if len(ws) == 0 {
		return fieldValue{}
	}
	v := fieldValue{norm: 1 / math.Sqrt(float64(len(ws)))}
	slices.Sort(ws)
	for _, w := range slices.Compact(ws) {
		v.words = append(v.words, word{text: w, runes: []rune(w)})
	}
	return v
}

// score is the value's best word match for t, length-normed.
func (v *fieldValue) score(t *queryTerm) float64 {
	best := 0.0
	for i := range v.words {
		best = max(best, t.match(&v.words[i]))
		if best == scoreExact {
			break
		}
	}
	return best * v.norm
}

// entityTerms are an entity's searchable values, computed on write so that a search only
// compares words.
type entityTerms struct {
	name        fieldValue
	aliases     []fieldValue
	description fieldValue
}

func termsOf(e *kg.Entity) entityTerms {
	t := entityTerms{name: valueOf(e.Name), description: valueOf(e.Description)}
	for _, a := range e.Aliases {
		t.aliases = append(t.aliases, valueOf(a))
	}
	return t
}

// score is the entity's relevance to the query terms; 0 means no term matched.
func (et *entityTerms) score(terms []*queryTerm) float64 {
	total := 0.0
	for _, t := range terms {
		alias := 0.0
		for i := range et.aliases {
			alias = max(alias, et.aliases[i].score(t))
		}
		total += weightName*et.name.score(t) + weightAlias*alias + weightDescription*et.description.score(t)
	}
	return total
}

// queryTerm is a search term prepared once per query. It is used by one search only, so it
// can carry scratch space and a memo of its fuzzy matches: entities share most of their words
// ("president", "of", "ukraine"), so the memo turns one edit-distance computation per word
// occurrence into one per distinct word.
type queryTerm struct {
	text    string
	runes   []rune
	maxDist int // edits a fuzzy match may need; 0: no fuzzy matching
	buf     distanceBuf
	fuzzy   map[string]bool
}

func newQueryTerm(text string) *queryTerm {
	t := &queryTerm{text: text, runes: []rune(text), fuzzy: map[string]bool{}}
	if len(t.runes) >= fuzzyMinRunes {
		t.maxDist = 1
	}
	return t
}

func (t *queryTerm) match(w *word) float64 {
	switch {
	case t.text == w.text:
		return scoreExact
	case strings.HasPrefix(w.text, t.text):
		return scorePrefix
	case t.maxDist == 0, len(w.runes) > len(t.runes)+t.maxDist, len(w.runes) < len(t.runes)-t.maxDist:
		return 0 // no fuzzy match possible: cheaper to rule out than to look up
	}
	near, ok := t.fuzzy[w.text]
	if !ok {
		near = t.buf.distance(t.runes, w.runes, t.maxDist) <= t.maxDist
		t.fuzzy[w.text] = near
	}
	if near {
		return scoreFuzzy
	}
	return 0
}

// editDistance is the optimal-string-alignment distance (Levenshtein plus adjacent
// transpositions, as Lucene's fuzzy query counts), or some value > limit once it is certain
// to exceed limit.
func editDistance(a, b []rune, limit int) int {
	var buf distanceBuf
	return buf.distance(a, b, limit)
}

// distanceBuf holds the three rows of the dynamic-programming table editDistance needs (two
// back, for transpositions; one back; now), reused from one call to the next.
type distanceBuf struct{ prev2, prev, cur []int }

func (d *distanceBuf) distance(a, b []rune, limit int) int {
	if n := len(a) - len(b); n > limit || -n > limit {
		return limit + 1
	}
	if cap(d.cur) < len(b)+1 {
		d.prev2, d.prev, d.cur = make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	}
	prev2, prev, cur := d.prev2[:len(b)+1], d.prev[:len(b)+1], d.cur[:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// Search finds entities by name, alias and description words; see the ranking above.
func (s *Store) Search(ctx context.Context, q kg.SearchQuery) ([]kg.SearchHit, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit == 0 {
		limit = kg.DefaultPageSize
	}
	var terms []*queryTerm
	for _, text := range uniq(kg.SearchTerms(q.Text)) {
		terms = append(terms, newQueryTerm(text))
	}
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()

	type hit struct {
		row   *entityRow
		score float64
	}
	var hits []hit
	stop := &stopper{ctx: ctx}
	for _, row := range s.g.entities {
		if stop.stop() {
			return nil, ctx.Err()
		}
		if len(q.Kinds) > 0 && !slices.Contains(q.Kinds, row.e.Kind) {
			continue
		}
		if sc := row.terms.score(terms); sc > 0 {
			hits = append(hits, hit{row, sc})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return strings.Compare(a.row.e.ID, b.row.e.ID)
	})
	hits = hits[:min(limit, len(hits))]
	out := make([]kg.SearchHit, len(hits))
	for i, h := range hits {
		out[i] = kg.SearchHit{Entity: cloneEntity(h.row.e), Score: h.score}
	}
	return out, nil
}
