package graph

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// Limits bound the shape of a GraphQL document. They are checked on the parsed document before
// gqlparser validates it: validation (OverlappingFieldsCanBeMerged above all) costs the square
// of the fields and fragments in a selection set, so a 200 KB document of distinct fragments
// could otherwise take gigabytes and tens of seconds before any limit on execution applied.
// A zero field takes its default; a negative one disables that check.
type Limits struct {
	// MaxQueryBytes caps the length of the query text, checked before it is parsed or
	// persisted (APQ): comments, commas and string literals cost memory but no tokens, and the
	// parsed-query and APQ caches keep up to 1000 documents each, so this bounds them too.
	MaxQueryBytes int
	// MaxTokens caps the lexical tokens of a document; the parser stops at the first one over.
	MaxTokens int
	// MaxFragments caps fragment definitions in a document.
	MaxFragments int
	// MaxFields caps field selections, counted with every fragment spread expanded where it is
	// spread, so a fragment used twice counts twice (and nested spreads cannot multiply unseen).
	MaxFields int
	// MaxAliases caps aliased fields, counted like MaxFields.
	MaxAliases int
	// MaxDirectives caps directives anywhere in the document, counted like MaxFields.
	MaxDirectives int
	// MaxDepth caps the nesting of field selections, through fragments.
	MaxDepth int
	// MaxRootFields caps the top-level fields of a query.
	MaxRootFields int
	// MaxMutationRootFields caps the top-level fields of a mutation: each can write a batch.
	MaxMutationRootFields int
	// MaxWriteItems caps the items all of a request's mutation fields write together.
	MaxWriteItems int
}

// Default limits. The README's examples and the seed loader's requests are far below each.
const (
	DefaultMaxQueryBytes         = 64 << 10
	DefaultMaxTokens             = 15000
	DefaultMaxFragments          = 100
	DefaultMaxFields             = 1000
	DefaultMaxAliases            = 50
	DefaultMaxDirectives         = 50
	DefaultMaxDepth              = 12
	DefaultMaxRootFields         = 20
	DefaultMaxMutationRootFields = 5
	DefaultMaxWriteItems         = 2000
)

// The extensions.code of each refusal, so a client can tell which limit it hit.
const (
	CodeQueryTooLarge     = "QUERY_TOO_LARGE"
	CodeTooManyTokens     = "TOO_MANY_TOKENS"
	CodeTooManyFragments  = "TOO_MANY_FRAGMENTS"
	CodeTooManyFields     = "TOO_MANY_FIELDS"
	CodeTooManyAliases    = "TOO_MANY_ALIASES"
	CodeTooManyDirectives = "TOO_MANY_DIRECTIVES"
	CodeTooDeep           = "TOO_DEEP"
	CodeTooManyRootFields = "TOO_MANY_ROOT_FIELDS"
	CodeTooManyWriteItems = "TOO_MANY_WRITE_ITEMS"
	CodeTimeout           = "TIMEOUT"
)

func init() {
	// Refusals of a document are, like parse and validation failures, errors of the request
	// rather than of its execution: gqlgen's transports answer them with a 4xx status, and the
	// GraphQL-over-HTTP layer (specResponse in server/spec.go) turns that into 200 for application/json.
	for _, c := range []string{CodeQueryTooLarge, CodeTooManyTokens, CodeTooManyFragments, CodeTooManyFields, CodeTooManyAliases,
		CodeTooManyDirectives, CodeTooDeep, CodeTooManyRootFields, CodeTooManyWriteItems} {
		errcode.RegisterErrorType(c, errcode.KindProtocol)
	}
}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&l.MaxQueryBytes, DefaultMaxQueryBytes)
	def(&l.MaxTokens, DefaultMaxTokens)
	def(&l.MaxFragments, DefaultMaxFragments)
	def(&l.MaxFields, DefaultMaxFields)
	def(&l.MaxAliases, DefaultMaxAliases)
	def(&l.MaxDirectives, DefaultMaxDirectives)
	def(&l.MaxDepth, DefaultMaxDepth)
	def(&l.MaxRootFields, DefaultMaxRootFields)
	def(&l.MaxMutationRootFields, DefaultMaxMutationRootFields)
	def(&l.MaxWriteItems, DefaultMaxWriteItems)
	return l
}

func limitError(code, format string, args ...any) *gqlerror.Error {
	return &gqlerror.Error{Message: fmt.Sprintf(format, args...), Extensions: map[string]any{"code": code}}
}

// documentLimits is a gqlgen extension that checks the query's size, parses it (token-limited)
// and checks its shape before gqlgen's executor parses and validates it. It runs ahead of APQ,
// so that a refused document is never persisted. Parsing twice costs a linear pass over at
// most MaxTokens tokens; documents already in the query cache passed these checks and are not
// looked at again.
type documentLimits struct {
	limits Limits
	cache  graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = documentLimits{}

func (documentLimits) ExtensionName() string                          { return "DocumentLimits" }
func (documentLimits) Validate(schema graphql.ExecutableSchema) error { return nil }

func (d documentLimits) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if err := ctx.Err(); err != nil {
		return timeoutError()
	}
	if params.Query == "" {
		// A persisted query's hash alone: APQ fills in a document that passed these checks
		// when it was registered, or answers PERSISTED_QUERY_NOT_FOUND.
		return nil
	}
	if d.limits.MaxQueryBytes >= 0 && len(params.Query) > d.limits.MaxQueryBytes {
		return limitError(CodeQueryTooLarge, "the query is %d bytes long; at most %d are allowed", len(params.Query), d.limits.MaxQueryBytes)
	}
	if d.cache != nil {
		if _, ok := d.cache.Get(ctx, params.Query); ok {
			return nil
		}
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, max(d.limits.MaxTokens, 0))
	if err != nil {
		gqlErr, ok := err.(*gqlerror.Error)
		if !ok {
			gqlErr = gqlerror.Wrap(err)
		}
		if strings.HasPrefix(gqlErr.Message, "exceeded token limit") {
			return limitError(CodeTooManyTokens, "the document has more than %d tokens", d.limits.MaxTokens)
		}
		errcode.Set(gqlErr, errcode.ParseFailed)
		return gqlErr
	}
	return checkShape(doc, d.limits)
}

// shape is what a selection set costs once every fragment spread in it is expanded.
type shape struct {
	fields, aliases, directives, depth int
}

// ceiling keeps expanded counts from overflowing: fragments that spread each other twice over
// double at every level, and anything past every limit is refused anyway.
const ceiling = 1 << 40

func (s *shape) add(o shape) {
	s.fields = min(s.fields+o.fields, ceiling)
	s.aliases = min(s.aliases+o.aliases, ceiling)
	s.directives = min(s.directives+o.directives, ceiling)
	s.depth = max(s.depth, o.depth)
}

// measurer expands fragments once each (memoised), so measuring is linear in the document
// even when the expansion is exponential. A fragment spread inside itself counts as empty;
// validation reports the cycle.
type measurer struct {
	frags   map[string]*ast.FragmentDefinition
	done    map[string]shape
	visited map[string]bool
}

func (m *measurer) fragment(name string) shape {
	if s, ok := m.done[name]; ok {
		return s
	}
	def := m.frags[name]
	if def == nil || m.visited[name] {
		return shape{}
	}
	m.visited[name] = true
	s := m.selections(def.SelectionSet)
	s.directives = min(s.directives+len(def.Directives), ceiling)
	m.done[name] = s
	return s
}

// selections measures a selection set; depth counts the levels of fields in it.
func (m *measurer) selections(set ast.SelectionSet) shape {
	var total shape
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			s := shape{fields: 1, directives: len(sel.Directives)}
			if sel.Alias != "" && sel.Alias != sel.Name {
				s.aliases = 1
			}
			child := m.selections(sel.SelectionSet)
			s.add(child)
			s.depth = child.depth + 1
			if sel.Name == "ofType" {
				// Introspection's type references (NON_NULL of LIST of NON_NULL of ...) are
				// one object each, so a chain of them costs no more than its length; client
				// tools (graphql-codegen, GraphiQL) nest 7 to 9 of them under fields 6 deep.
				s.depth = child.depth
			}
			total.add(s)
		case *ast.InlineFragment:
			s := m.selections(sel.SelectionSet)
			s.directives = min(s.directives+len(sel.Directives), ceiling)
			total.add(s)
		case *ast.FragmentSpread:
			s := m.fragment(sel.Name)
			s.directives = min(s.directives+len(sel.Directives), ceiling)
			total.add(s)
		}
	}
	return total
}

// rootFields counts an operation's top-level fields, through fragments and inline fragments.
func (m *measurer) rootFields(set ast.SelectionSet, seen map[string]bool) int {
	n := 0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			n++
		case *ast.InlineFragment:
			n += m.rootFields(sel.SelectionSet, seen)
		case *ast.FragmentSpread:
			if def := m.frags[sel.Name]; def != nil && !seen[sel.Name] {
				seen[sel.Name] = true
				n += m.rootFields(def.SelectionSet, seen)
			}
		}
	}
	return n
}

func checkShape(doc *ast.QueryDocument, l Limits) *gqlerror.Error {
	if l.MaxFragments >= 0 && len(doc.Fragments) > l.MaxFragments {
		return limitError(CodeTooManyFragments, "the document defines %d fragments; at most %d are allowed", len(doc.Fragments), l.MaxFragments)
	}
	m := &measurer{
		frags:   make(map[string]*ast.FragmentDefinition, len(doc.Fragments)),
		done:    make(map[string]shape, len(doc.Fragments)),
		visited: make(map[string]bool, len(doc.Fragments)),
	}
	for _, f := range doc.Fragments {
		m.frags[f.Name] = f
	}
	// Every operation and every fragment is validated, used or not: count both.
	var total shape
	for _, op := range doc.Operations {
		s := m.selections(op.SelectionSet)
		s.directives = min(s.directives+len(op.Directives), ceiling)
		for _, v := range op.VariableDefinitions {
			s.directives = min(s.directives+len(v.Directives), ceiling)
		}
		total.add(s)
		limit, what := l.MaxRootFields, "a query"
		if op.Operation == ast.Mutation {
			limit, what = l.MaxMutationRootFields, "a mutation"
		}
		if n := m.rootFields(op.SelectionSet, map[string]bool{}); limit >= 0 && n > limit {
			return limitError(CodeTooManyRootFields, "%s may select at most %d top-level fields; this one selects %d", what, limit, n)
		}
	}
	for _, f := range doc.Fragments {
		if _, used := m.done[f.Name]; !used { // a used one was counted where it is spread
			total.add(m.fragment(f.Name))
		}
	}
	switch {
	case l.MaxFields >= 0 && total.fields > l.MaxFields:
		return limitError(CodeTooManyFields, "the document selects %s fields (fragments expanded); at most %d are allowed", count(total.fields), l.MaxFields)
	case l.MaxAliases >= 0 && total.aliases > l.MaxAliases:
		return limitError(CodeTooManyAliases, "the document has %s aliases (fragments expanded); at most %d are allowed", count(total.aliases), l.MaxAliases)
	case l.MaxDirectives >= 0 && total.directives > l.MaxDirectives:
		return limitError(CodeTooManyDirectives, "the document has %s directives (fragments expanded); at most %d are allowed", count(total.directives), l.MaxDirectives)
	case l.MaxDepth >= 0 && total.depth > l.MaxDepth:
		return limitError(CodeTooDeep, "the document nests fields %d deep; at most %d levels are allowed", total.depth, l.MaxDepth)
	}
	return nil
}

func count(n int) string {
	if n >= ceiling {
		return "over a trillion"
	}
	return fmt.Sprint(n)
}

// checkWriteItems refuses a mutation whose list arguments, together, hold more than max items.
// It runs after validation, when variables are coerced, and before any resolver.
func checkWriteItems(op *ast.OperationDefinition, vars map[string]any, limit int) *gqlerror.Error {
	if op == nil || op.Operation != ast.Mutation || limit < 0 {
		return nil
	}
	n := 0
	var walk func(set ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				for _, v := range sel.ArgumentMap(vars) {
					if list, ok := v.([]any); ok {
						n += len(list)
					}
				}
			case *ast.InlineFragment:
				walk(sel.SelectionSet)
			case *ast.FragmentSpread:
				if sel.Definition != nil {
					walk(sel.Definition.SelectionSet)
				}
			}
		}
	}
	walk(op.SelectionSet)
	if n > limit {
		return limitError(CodeTooManyWriteItems, "the mutation writes %d items; at most %d are allowed per request", n, limit)
	}
	return nil
}

func timeoutError() *gqlerror.Error {
	return limitError(CodeTimeout, "the request took too long and was stopped")
}
