// Package shapes holds the benchmark's query shapes: for every server under test the request
// that asks the shape's question in that server's best form, and a canonical text of the
// answer, so that answers from different servers can be compared line by line.
package shapes

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/factgraph/factgraph/bench/dataset"
	"github.com/factgraph/factgraph/kg"
)

// Server names.
const (
	Factgraph = "factgraph" // factgraph on Neo4j
	Embedded  = "embedded"  // factgraph on its embedded store
	Anchor    = "anchor"    // @neo4j/graphql + Apollo Server
	Raw       = "raw"       // the same Cypher through the Go driver, over HTTP
)

// Servers lists every server in report order.
var Servers = []string{Factgraph, Anchor, Raw, Embedded}

// Shape is one kind of request.
type Shape struct {
	Name, Title string
	Write       bool
	// Request returns the URL path (under the server's base URL) and body of the i-th request
	// to server.
	Request func(server string, i int) (path string, body []byte)
	// Canon is the answer as comparable text.
	Canon func(server string, resp []byte) (string, error)
}

// Set is the shapes over one data set, with the parameters they cycle through.
type Set struct {
	Shapes []*Shape
	q1IDs  []string
	q4IDs  []string
	d      *dataset.Data
}

// Needles are Q2's name fragments (lower case: the anchor matches the folded text as stored).
var Needles = []string{"enko", "ana", "kov", "son", "mar", "ova", "ski", "lena", "iva", "ers"}

// Words are the full-text searches.
var Words = []string{"kharkiv", "zapor", "plant", "ceasefire", "lviv", "kovalenko", "dnipro", "port", "briefing", "grid"}

// New builds the shapes for d.
func New(d *dataset.Data) *Set {
	s := &Set{d: d}
	rng := rand.New(rand.NewPCG(d.Seed, 0x5ea7))
	hub := map[string]bool{}
	for _, h := range d.Hubs {
		hub[h] = true
	}
	for len(s.q1IDs) < 64 {
		e := d.Entities[rng.IntN(len(d.Entities))]
		if !hub[e.ID] {
			s.q1IDs = append(s.q1IDs, e.ID)
		}
	}
	countries := d.ByKind[kg.KindCountry]
	for len(s.q4IDs) < 32 {
		id := countries[rng.IntN(len(countries))]
		if !hub[id] {
			s.q4IDs = append(s.q4IDs, id)
		}
	}
	s.Shapes = []*Shape{s.q1(), s.q2(), s.q3(), s.q4(), s.q5(), s.search(), s.write()}
	return s
}

func gql(query string, vars map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		panic(err)
	}
	return b
}

func js(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// decode unmarshals a response's data; GraphQL errors are an error.
func decode(resp []byte, v any) error {
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(resp, &r); err != nil {
		return fmt.Errorf("response: %w: %.200s", err, resp)
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("errors: %s", r.Errors[0].Message)
	}
	return json.Unmarshal(r.Data, v)
}

type ref struct {
	ID, Name string
}

// relLine is the canonical text of a relation with both ends.
func relLine(id, typ, fromID, fromName, toID, toName string) string {
	return fmt.Sprintf("%s %s %s(%s) -> %s(%s)", id, typ, fromID, fromName, toID, toName)
}

// fgRel is a factgraph relation with both ends.
type fgRel struct {
	ID, Type string
	From, To ref
}

// rowRel is the anchor's and the raw server's relation row.
type rowRel struct {
	ID, Type, FromID, FromName, ToID, ToName string
}

func (s *Set) q1() *Shape {
	const fg = `query Q1($id: ID!) { entity(id: $id) { id name kind relations(first: 20) { edges { node { id type from { id name } to { id name } } } } } }`
	const an = `query Q1($id: ID!) { entities(where: {id: {eq: $id}}) { id name kind firstRelations(first: 20) { id type fromId fromName toId toName } } }`
	return &Shape{
		Name:  "q1",
		Title: "Q1 entity by id + first 20 relations with the other end's name",
		Request: func(server string, i int) (string, []byte) {
			id := s.q1IDs[i%len(s.q1IDs)]
			switch server {
			case Anchor:
				return "/", gql(an, map[string]any{"id": id})
			case Raw:
				return "/q1", js(map[string]any{"id": id})
			}
			return "/graphql", gql(fg, map[string]any{"id": id})
		},
		Canon: func(server string, resp []byte) (string, error) {
			var head string
			var lines []string
			switch server {
			case Anchor, Raw:
				type ent struct {
					ID, Name, Kind string
					FirstRelations []rowRel
					Relations      []rowRel
				}
				var e ent
				if server == Anchor {
					var d struct{ Entities []ent }
					if err := decode(resp, &d); err != nil {
						return "", err
					}
					if len(d.Entities) != 1 {
						return "", fmt.Errorf("%d entities", len(d.Entities))
					}
					e = d.Entities[0]
				} else {
					var d ent
					if err := decode(resp, &d); err != nil {
						return "", err
					}
					e = d
					e.FirstRelations = e.Relations
				}
				head = e.ID + " " + e.Name + " " + e.Kind
				for _, r := range e.FirstRelations {
					lines = append(lines, relLine(r.ID, r.Type, r.FromID, r.FromName, r.ToID, r.ToName))
				}
			default:
				var d struct {
					Entity *struct {
						ID, Name, Kind string
						Relations      struct{ Edges []struct{ Node fgRel } }
					}
				}
				if err := decode(resp, &d); err != nil {
					return "", err
				}
				if d.Entity == nil {
					return "", fmt.Errorf("no entity")
				}
				head = d.Entity.ID + " " + d.Entity.Name + " " + d.Entity.Kind
				for _, e := range d.Entity.Relations.Edges {
					r := e.Node
					lines = append(lines, relLine(r.ID, r.Type, r.From.ID, r.From.Name, r.To.ID, r.To.Name))
				}
			}
			return head + "\n" + strings.Join(lines, "\n"), nil
		},
	}
}

func (s *Set) q2() *Shape {
	const fg = `query Q2($s: String!) { entities(filter: {kinds: [PERSON], nameContains: $s}, orderBy: {field: NAME, direction: ASC}, first: 50) { edges { node { id name } } } }`
	const an = `query Q2($s: String!) { entities(where: {kind: {eq: "PERSON"}, searchText: {contains: $s}}, sort: [{nameKey: ASC}, {id: ASC}], limit: 50) { id name } }`
	return &Shape{
		Name:  "q2",
		Title: "Q2 first 50 persons whose name contains a string, by name",
		Request: func(server string, i int) (string, []byte) {
			n := Needles[i%len(Needles)]
			switch server {
			case Anchor:
				return "/", gql(an, map[string]any{"s": n})
			case Raw:
				return "/q2", js(map[string]any{"needle": n})
			}
			return "/graphql", gql(fg, map[string]any{"s": n})
		},
		Canon: func(server string, resp []byte) (string, error) {
			var list []ref
			switch server {
			case Anchor:
				var d struct{ Entities []ref }
				if err := decode(resp, &d); err != nil {
					return "", err
				}
				list = d.Entities
			case Raw:
				if err := decode(resp, &list); err != nil {
					return "", err
				}
			default:
				var d struct {
					Entities struct{ Edges []struct{ Node ref } }
				}
				if err := decode(resp, &d); err != nil {
					return "", err
				}
				for _, e := range d.Entities.Edges {
					list = append(list, e.Node)
				}
			}
			lines := make([]string, len(list))
			for i, r := range list {
				lines[i] = r.ID + " " + r.Name
			}
			return strings.Join(lines, "\n"), nil
		},
	}
}

func (s *Set) q3() *Shape {
	const fg = `{ relations(filter: {types: [ATTACKED]}, orderBy: {field: TIME, direction: ASC}, first: 100) { edges { node { id type from { id name } to { id name } } } } }`
	const an = `{ attacks(first: 100) { id type fromId fromName toId toName } }`
	return &Shape{
		Name:  "q3",
		Title: "Q3 first 100 ATTACKED relations by time with both ends' names",
		Request: func(server string, i int) (string, []byte) {
			switch server {
			case Anchor:
				return "/", gql(an, nil)
			case Raw:
				return "/q3", js(map[string]any{})
			}
			return "/graphql", gql(fg, nil)
		},
		Canon: func(server string, resp []byte) (string, error) {
			var lines []string
			switch server {
			case Anchor, Raw:
				var rows []rowRel
				if server == Anchor {
					var d struct{ Attacks []rowRel }
					if err := decode(resp, &d); err != nil {
						return "", err
					}
					rows = d.Attacks
				} else if err := decode(resp, &rows); err != nil {
					return "", err
				}
				for _, r := range rows {
					lines = append(lines, relLine(r.ID, r.Type, r.FromID, r.FromName, r.ToID, r.ToName))
				}
			default:
				var d struct {
					Relations struct{ Edges []struct{ Node fgRel } }
				}
				if err := decode(resp, &d); err != nil {
					return "", err
				}
				for _, e := range d.Relations.Edges {
					r := e.Node
					lines = append(lines, relLine(r.ID, r.Type, r.From.ID, r.From.Name, r.To.ID, r.To.Name))
				}
			}
			return strings.Join(lines, "\n"), nil
		},
	}
}

func (s *Set) q4() *Shape {
	const fg = `query Q4($id: ID!) { entity(id: $id) { id name relations(types: [PARTY_TO], direction: OUT, first: 10) { edges { node { id to { id name relations(types: [COVERS], direction: OUT, first: 10) { edges { node { id to { id name } } } } } } } } } }`
	const an = `query Q4($id: ID!) { entities(where: {id: {eq: $id}}) { id name partyToConnection(first: 10, sort: [{edge: {t: ASC}}, {edge: {id: ASC}}]) { edges { properties { id } node { id name coversConnection(first: 10, sort: [{edge: {t: ASC}}, {edge: {id: ASC}}]) { edges { properties { id } node { id name } } } } } } } }`
	return &Shape{
		Name:  "q4",
		Title: "Q4 party -> its first 10 agreements (PARTY_TO) -> their first 10 COVERS targets",
		Request: func(server string, i int) (string, []byte) {
			id := s.q4IDs[i%len(s.q4IDs)]
			switch server {
			case Anchor:
				return "/", gql(an, map[string]any{"id": id})
			case Raw:
				return "/q4", js(map[string]any{"id": id})
			}
			return "/graphql", gql(fg, map[string]any{"id": id})
		},
		Canon: func(server string, resp []byte) (string, error) {
			var b strings.Builder
			switch server {
			case Anchor:
				type edge struct {
					Properties struct{ ID string }
					Node       struct {
						ID, Name         string
						CoversConnection struct{ Edges []json.RawMessage }
					}
				}
				var d struct {
					Entities []struct {
						ID, Name          string
						PartyToConnection struct{ Edges []edge }
					}
				}
				if err := decode(resp, &d); err != nil {
					return "", err
				}
				if len(d.Entities) != 1 {
					return "", fmt.Errorf("%d entities", len(d.Entities))
				}
				e := d.Entities[0]
				fmt.Fprintf(&b, "%s %s\n", e.ID, e.Name)
				for _, p := range e.PartyToConnection.Edges {
					fmt.Fprintf(&b, "%s %s(%s):", p.Properties.ID, p.Node.ID, p.Node.Name)
					for _, raw := range p.Node.CoversConnection.Edges {
						var c edge
						if err := json.Unmarshal(raw, &c); err != nil {
							return "", err
						}
						fmt.Fprintf(&b, " %s %s(%s);", c.Properties.ID, c.Node.ID, c.Node.Name)
					}
					b.WriteString("\n")
				}
			case Raw:
				var d struct {
					ID, Name string
					Parties  []struct {
						ID, ToID, ToName string
						Covers           []struct{ ID, ToID, ToName string }
					}
				}
				if err := decode(resp, &d); err != nil {
					return "", err
				}
				fmt.Fprintf(&b, "%s %s\n", d.ID, d.Name)
				for _, p := range d.Parties {
					fmt.Fprintf(&b, "%s %s(%s):", p.ID, p.ToID, p.ToName)
					for _, c := range p.Covers {
						fmt.Fprintf(&b, " %s %s(%s);", c.ID, c.ToID, c.ToName)
					}
					b.WriteString("\n")
				}
			default:
				type rel struct {
					ID string
					To struct {
						ID, Name  string
						Relations *struct{ Edges []json.RawMessage }
					}
				}
				var d struct {
					Entity *struct {
						ID, Name  string
						Relations struct{ Edges []struct{ Node rel } }
					}
				}
				if err := decode(resp, &d); err != nil {
					return "", err
				}
				if d.Entity == nil {
					return "", fmt.Errorf("no entity")
				}
				fmt.Fprintf(&b, "%s %s\n", d.Entity.ID, d.Entity.Name)
				for _, e := range d.Entity.Relations.Edges {
					p := e.Node
					fmt.Fprintf(&b, "%s %s(%s):", p.ID, p.To.ID, p.To.Name)
					if p.To.Relations != nil {
						for _, raw := range p.To.Relations.Edges {
							var c struct{ Node rel }
							if err := json.Unmarshal(raw, &c); err != nil {
								return "", err
							}
							fmt.Fprintf(&b, " %s %s(%s);", c.Node.ID, c.Node.To.ID, c.Node.To.Name)
						}
					}
					b.WriteString("\n")
				}
			}
			return b.String(), nil
		},
	}
}

func (s *Set) q5() *Shape {
	const fg = `{ entities(filter: {kinds: [PERSON]}, first: 0) { totalCount } }`
	const an = `{ entitiesConnection(where: {kind: {eq: "PERSON"}}) { totalCount } }`
	return &Shape{
		Name:  "q5",
		Title: "Q5 count of persons (totalCount)",
		Request: func(server string, i int) (string, []byte) {
			switch server {
			case Anchor:
				return "/", gql(an, nil)
			case Raw:
				return "/q5", js(map[string]any{})
			}
			return "/graphql", gql(fg, nil)
		},
		Canon: func(server string, resp []byte) (string, error) {
			var n int
			switch server {
			case Anchor:
				var d struct{ EntitiesConnection struct{ TotalCount int } }
				if err := decode(resp, &d); err != nil {
					return "", err
				}
				n = d.EntitiesConnection.TotalCount
			case Raw:
				if err := decode(resp, &n); err != nil {
					return "", err
				}
			default:
				var d struct{ Entities struct{ TotalCount int } }
				if err := decode(resp, &d); err != nil {
					return "", err
				}
				n = d.Entities.TotalCount
			}
			return strconv.Itoa(n), nil
		},
	}
}

// LuceneQuery is the full-text query factgraph's Neo4j store sends for one lower-case word
// (kg/neo4j's luceneQuery): exact, prefix and, from four letters, one-edit matches, names
// weighted over descriptions. The anchor and the raw server send it as it is.
func LuceneQuery(word string) string {
	forms := []string{word + "^3", word + "*^2"}
	if len([]rune(word)) >= 4 {
		forms = append(forms, word+"~1")
	}
	f := strings.Join(forms, " OR ")
	return "searchText:(" + f + ")^4 OR description:(" + f + ")"
}

func (s *Set) search() *Shape {
	const fg = `query S($q: String!) { search(query: $q, first: 10) { score entity { id name } } }`
	const an = `query S($q: String!) { searchEntities(query: $q, first: 10) { score id name } }`
	return &Shape{
		Name:  "search",
		Title: "full-text search, first 10 hits",
		Request: func(server string, i int) (string, []byte) {
			w := Words[i%len(Words)]
			switch server {
			case Anchor:
				return "/", gql(an, map[string]any{"q": LuceneQuery(w)})
			case Raw:
				return "/search", js(map[string]any{"query": LuceneQuery(w), "first": 10})
			}
			return "/graphql", gql(fg, map[string]any{"q": w})
		},
		Canon: func(server string, resp []byte) (string, error) {
			type hit struct {
				Score    float64
				ID, Name string
			}
			var hits []hit
			switch server {
			case Anchor:
				var d struct{ SearchEntities []hit }
				if err := decode(resp, &d); err != nil {
					return "", err
				}
				hits = d.SearchEntities
			case Raw:
				if err := decode(resp, &hits); err != nil {
					return "", err
				}
			default:
				var d struct {
					Search []struct {
						Score  float64
						Entity ref
					}
				}
				if err := decode(resp, &d); err != nil {
					return "", err
				}
				for _, h := range d.Search {
					hits = append(hits, hit{h.Score, h.Entity.ID, h.Entity.Name})
				}
			}
			lines := make([]string, len(hits))
			for i, h := range hits {
				lines[i] = fmt.Sprintf("%.4f %s %s", h.Score, h.ID, h.Name)
			}
			return strings.Join(lines, "\n"), nil
		},
	}
}

// WritePrefix starts the id of everything the write shape creates, so it can be deleted after.
const WritePrefix = "bw:"

// WriteBatch is the write shape's size: entities (half events, half locations) and as many
// relations (each event LOCATED_IN its location and AFFECTED an existing infrastructure).
const WriteBatch = 100

func (s *Set) write() *Shape {
	const fg = `mutation W($e: [EntityInput!]!, $r: [RelationInput!]!) { upsertEntities(input: $e) { created } upsertRelations(input: $r) { created } }`
	const an = `mutation W($in: [EntityCreateInput!]!) { createEntities(input: $in) { info { nodesCreated relationshipsCreated } } }`
	infra := s.d.ByKind[kg.KindInfrastructure]
	srcs := s.d.Sources
	return &Shape{
		Name:  "write",
		Title: fmt.Sprintf("batch upsert of %d new entities with %d relations", WriteBatch, WriteBatch),
		Write: true,
		Request: func(server string, i int) (string, []byte) {
			// Fresh ids for every request: every request creates, on every server.
			prefix := fmt.Sprintf("%s%s:%d:%d", WritePrefix, server, time.Now().UnixNano(), i)
			now := time.Now().UTC().Format(time.RFC3339Nano)
			var ents []kg.EntityInput
			var rels []kg.RelationInput
			var anIn []map[string]any
			rows := map[string][]any{}
			conf := 0.9
			for j := range WriteBatch / 2 {
				ev := kg.EntityInput{ID: fmt.Sprintf("%s:e%d", prefix, j), Kind: kg.KindEvent, Name: fmt.Sprintf("Bench write event %d", j)}
				loc := kg.EntityInput{ID: fmt.Sprintf("%s:l%d", prefix, j), Kind: kg.KindLocation, Name: fmt.Sprintf("Bench write place %d", j)}
				target := infra[(i*WriteBatch/2+j)%len(infra)]
				src := srcs[(i+j)%len(srcs)].ID
				located := kg.RelationInput{ID: fmt.Sprintf("%s:rl%d", prefix, j), Type: kg.RelLocatedIn, FromID: ev.ID, ToID: loc.ID,
					Status: kg.StatusConfirmed, SourceIDs: []string{src}, Confidence: &conf}
				affected := kg.RelationInput{ID: fmt.Sprintf("%s:ra%d", prefix, j), Type: kg.RelAffected, FromID: ev.ID, ToID: target,
					Status: kg.StatusConfirmed, SourceIDs: []string{src}, Confidence: &conf}
				ents = append(ents, ev, loc)
				rels = append(rels, located, affected)
				node := func(e kg.EntityInput) map[string]any {
					fold := kg.Fold(e.Name)
					return map[string]any{"id": e.ID, "kind": string(e.Kind), "name": e.Name, "nameFold": fold,
						"nameKey": hex.EncodeToString([]byte(fold)), "searchText": fold, "createdAt": now, "updatedAt": now}
				}
				props := func(r kg.RelationInput) map[string]any {
					return map[string]any{"id": r.ID, "status": string(r.Status), "t": strconv.FormatInt(math.MaxInt64, 10),
						"sourceIds": r.SourceIDs, "confidence": conf, "createdAt": now, "updatedAt": now}
				}
				switch server {
				case Anchor:
					evIn := node(ev)
					delete(evIn, "nameFold")
					locIn := node(loc)
					delete(locIn, "nameFold")
					evIn["locatedIn"] = map[string]any{"create": []any{map[string]any{"node": locIn, "edge": props(located)}}}
					evIn["affected"] = map[string]any{"connect": []any{map[string]any{
						"where": map[string]any{"node": map[string]any{"id": map[string]any{"eq": target}}}, "edge": props(affected)}}}
					anIn = append(anIn, evIn)
				case Raw:
					rows["events"] = append(rows["events"], node(ev))
					rows["locations"] = append(rows["locations"], node(loc))
					rp := func(r kg.RelationInput) map[string]any {
						p := props(r)
						p["t"] = int64(math.MaxInt64)
						return map[string]any{"from": r.FromID, "to": r.ToID, "props": p}
					}
					rows["locatedIn"] = append(rows["locatedIn"], rp(located))
					rows["affected"] = append(rows["affected"], rp(affected))
				}
			}
			switch server {
			case Anchor:
				return "/", gql(an, map[string]any{"in": anIn})
			case Raw:
				return "/write", js(rows)
			}
			return "/graphql", gql(fg, map[string]any{"e": ents, "r": rels})
		},
		Canon: func(server string, resp []byte) (string, error) {
			var n int
			switch server {
			case Anchor:
				var d struct {
					CreateEntities struct {
						Info struct{ NodesCreated, RelationshipsCreated int }
					}
				}
				if err := decode(resp, &d); err != nil {
					return "", err
				}
				n = d.CreateEntities.Info.NodesCreated + d.CreateEntities.Info.RelationshipsCreated
			case Raw:
				var d struct{ Created int }
				if err := decode(resp, &d); err != nil {
					return "", err
				}
				n = d.Created
			default:
				var d struct {
					UpsertEntities, UpsertRelations struct{ Created int }
				}
				if err := decode(resp, &d); err != nil {
					return "", err
				}
				n = d.UpsertEntities.Created + d.UpsertRelations.Created
			}
			return fmt.Sprintf("%d created", n), nil
		},
	}
}

// Select returns the shapes named in names (all for an empty list).
func (s *Set) Select(names []string) ([]*Shape, error) {
	if len(names) == 0 {
		return s.Shapes, nil
	}
	var out []*Shape
	for _, n := range names {
		i := slices.IndexFunc(s.Shapes, func(sh *Shape) bool { return sh.Name == n })
		if i < 0 {
			return nil, fmt.Errorf("no shape %q", n)
		}
		out = append(out, s.Shapes[i])
	}
	return out, nil
}
