package neo4jstore

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/factgraph/factgraph/kg"
)

func TestAllowListRejects(t *testing.T) {
	for _, k := range []kg.EntityKind{"", "person", "Person", "PERSON) DETACH DELETE n //", "SPACESHIP"} {
		if l, err := kindLabel(k); err == nil {
			t.Errorf("kindLabel(%q) = %q, want an error", k, l)
		}
	}
	for _, rt := range []kg.RelationType{"", "agreed", "LIKES", "AGREED]->() DETACH DELETE r //", "AGREED|ATTACKED"} {
		if s, err := relType(rt); err == nil {
			t.Errorf("relType(%q) = %q, want an error", rt, s)
		}
		if s, err := relTypeAlternation([]kg.RelationType{kg.RelAgreed, rt}); err == nil {
			t.Errorf("relTypeAlternation(AGREED, %q) = %q, want an error", rt, s)
		}
	}
	for _, d := range []int{-1, 0, kg.MaxPathDepth + 1, 1 << 40} {
		if b, err := depthBound(d); err == nil {
			t.Errorf("depthBound(%d) = %q, want an error", d, b)
		}
	}
	for d := 1; d <= kg.MaxPathDepth; d++ {
		if b, err := depthBound(d); err != nil || b != "*.."+strconv.Itoa(d) {
			t.Errorf("depthBound(%d) = %q, %v", d, b, err)
		}
	}
	for _, k := range kg.EntityKinds {
		if _, err := kindLabel(k); err != nil {
			t.Errorf("kindLabel(%s): %v", k, err)
		}
	}
	for _, rt := range kg.RelationTypes {
		if _, err := relType(rt); err != nil {
			t.Errorf("relType(%s): %v", rt, err)
		}
	}
}

// allowedIdents are the variables that may fill a label or relationship-type position of a
// query, and the allow-list functions each must be assigned from.
var allowedIdents = map[string][]string{
	"label":   {"kindLabel"},
	"kindAlt": {"kindLabels"},
	"rt":      {"relType", "mustRelType"},
	"alt":     {"relTypeAlternation"},
	// A variable-length pattern's bound ("*..4") follows the type alternation; it cannot be
	// a parameter either, and may come only from depthBound's checked int.
	"bound": {"depthBound"},
}

// TestOnlyAllowListedIdentifiers parses the package's sources and checks that every label or
// relationship-type position in query text — a string literal ending in ":" or "[r"/"[x"
// followed by a spliced value, or a Sprintf verb right after one — is filled by one of
// allowedIdents; that whatever is spliced right after a type alternation (a pattern's length
// bound) is a literal or one of them too; and that those variables are only ever assigned
// from the allow-list functions in allowlist.go.
func TestOnlyAllowListedIdentifiers(t *testing.T) {
	files, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, f := range files {
		name := f.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || name == "allowlist.go" {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BinaryExpr:
				if n.Op != token.ADD {
					return true
				}
				if lit, ok := stringLit(rightmost(n.X)); ok && identPosition(lit) {
					checked++
					if !allowedSplice(leftmost(n.Y)) {
						t.Errorf("%s: %q is followed by %s, which is not an allow-listed label or type",
							fset.Position(n.Pos()), lit, exprString(leftmost(n.Y)))
					}
				}
				if id, ok := rightmost(n.X).(*ast.Ident); ok && id.Name == "alt" {
					next := leftmost(n.Y)
					if _, lit := stringLit(next); !lit && !allowedSplice(next) {
						t.Errorf("%s: the type alternation is followed by %s, which is neither query text nor an allow-listed bound",
							fset.Position(n.Pos()), exprString(next))
					}
					if id, ok := next.(*ast.Ident); ok && id.Name == "bound" {
						checked++
					}
				}
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Sprintf" || len(n.Args) == 0 {
					return true
				}
				format, ok := stringLit(n.Args[0])
				if !ok {
					return true
				}
				for i, pos := range verbPositions(format) {
					if !identPosition(format[:pos]) {
						continue
					}
					checked++
					if i+1 >= len(n.Args) || !allowedSplice(n.Args[i+1]) {
						t.Errorf("%s: Sprintf verb %d of %q fills a label or type position with a value not from the allow-list",
							fset.Position(n.Pos()), i, format)
					}
				}
			case *ast.AssignStmt:
				for i, lhs := range n.Lhs {
					id, ok := lhs.(*ast.Ident)
					if !ok || allowedIdents[id.Name] == nil {
						continue
					}
					rhs := n.Rhs[0]
					if len(n.Rhs) == len(n.Lhs) {
						rhs = n.Rhs[i]
					}
					if !callsOneOf(rhs, allowedIdents[id.Name]) {
						t.Errorf("%s: %s is assigned from %s, not from %q", fset.Position(n.Pos()), id.Name, exprString(rhs), allowedIdents[id.Name])
					}
				}
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if allowedIdents[id.Name] == nil {
						continue
					}
					if i >= len(n.Values) || !callsOneOf(n.Values[i], allowedIdents[id.Name]) {
						t.Errorf("%s: %s is declared without an allow-list call", fset.Position(n.Pos()), id.Name)
					}
				}
			case *ast.Field:
				for _, id := range n.Names {
					if allowedIdents[id.Name] != nil {
						t.Errorf("%s: parameter %s shadows an allow-listed variable name", fset.Position(n.Pos()), id.Name)
					}
				}
			}
			return true
		})
	}
	if checked < 5 {
		t.Errorf("only %d label/type positions found; the check has lost track of the sources", checked)
	}
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// identPosition reports whether query text ending in s expects a label or type next.
func identPosition(s string) bool {
	return strings.HasSuffix(s, ":") || strings.HasSuffix(s, "[r") || strings.HasSuffix(s, "[x")
}

func rightmost(e ast.Expr) ast.Expr {
	for {
		b, ok := e.(*ast.BinaryExpr)
		if !ok {
			return e
		}
		e = b.Y
	}
}

func leftmost(e ast.Expr) ast.Expr {
	for {
		b, ok := e.(*ast.BinaryExpr)
		if !ok {
			return e
		}
		e = b.X
	}
}

func allowedSplice(e ast.Expr) bool {
	if id, ok := e.(*ast.Ident); ok {
		return allowedIdents[id.Name] != nil
	}
	return callsOneOf(e, []string{"allKindLabels"})
}

func callsOneOf(e ast.Expr, funcs []string) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	id, ok := call.Fun.(*ast.Ident)
	if !ok {
		return false
	}
	for _, f := range funcs {
		if id.Name == f {
			return true
		}
	}
	return false
}

// verbPositions returns the byte offsets of the formatting verbs in format (skipping %%).
func verbPositions(format string) []int {
	var out []int
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			i++
			continue
		}
		out = append(out, i)
	}
	return out
}

func exprString(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.BasicLit:
		return e.Value
	case *ast.CallExpr:
		return exprString(e.Fun) + "(...)"
	case *ast.SelectorExpr:
		return exprString(e.X) + "." + e.Sel.Name
	}
	return "an expression"
}
