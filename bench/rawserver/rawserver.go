// Package rawserver is the benchmark's floor: each shape answered by the one Cypher statement
// it needs, sent through the Neo4j Go driver in one managed transaction, and served over HTTP
// as JSON so that it pays the same HTTP, JSON and process costs as the GraphQL servers. It
// does no parsing, validation or planning of its own: what remains above it is what a GraphQL
// server adds.
package rawserver

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/factgraph/factgraph/kg"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Server answers POST /<shape> with a JSON body of parameters.
type Server struct {
	driver neo4j.DriverWithContext
	db     string
	log    *slog.Logger
}

// New wraps a driver; db is the database name ("" for the user's home database).
func New(driver neo4j.DriverWithContext, db string, log *slog.Logger) *Server {
	return &Server{driver: driver, db: db, log: log}
}

// relationTypes is the alternation of every relation type: entities also carry factgraph's
// provenance relationships (ASSERTS, CITES, ...), which are not relations.
var relationTypes = func() string {
	names := make([]string, len(kg.RelationTypes))
	for i, t := range kg.RelationTypes {
		names[i] = string(t)
	}
	return strings.Join(names, "|")
}()

// relRow projects a relation with both ends' id and name.
const relRow = "{id: r.id, type: type(r), fromId: startNode(r).id, fromName: startNode(r).name, toId: endNode(r).id, toName: endNode(r).name}"

// Queries are the statements, one per read shape. They return one column "data".
var Queries = map[string]string{
	// Q1: an entity and its first 20 relations in time order, at either end.
	"q1": `MATCH (x:Entity {id: $id})
CALL (x) {
  MATCH (x)-[r:` + relationTypes + `]-()
  WITH DISTINCT r ORDER BY r.t, r.id LIMIT 20
  RETURN collect(` + relRow + `) AS rels
}
RETURN {id: x.id, name: x.name, kind: x.kind, relations: rels} AS data`,
	// Q2: the first 50 persons whose folded name or alias contains the needle, by name.
	"q2": `MATCH (n:Entity) WHERE n.searchText CONTAINS $needle AND n:Person
WITH n ORDER BY n.nameKey, n.id LIMIT 50
RETURN collect({id: n.id, name: n.name}) AS data`,
	// Q3: the first 100 ATTACKED relations in time order with both ends.
	"q3": `MATCH ()-[r:ATTACKED]->()
WITH r ORDER BY r.t, r.id LIMIT 100
RETURN collect(` + relRow + `) AS data`,
	// Q4: a party's first 10 agreements (PARTY_TO) and each one's first 10 COVERS targets.
	"q4": `MATCH (x:Entity {id: $id})
CALL (x) {
  MATCH (x)-[p:PARTY_TO]->(a)
  WITH p, a ORDER BY p.t, p.id LIMIT 10
  CALL (a) {
    MATCH (a)-[c:COVERS]->(t)
    WITH c, t ORDER BY c.t, c.id LIMIT 10
    RETURN collect({id: c.id, toId: t.id, toName: t.name}) AS covers
  }
  RETURN collect({id: p.id, toId: a.id, toName: a.name, covers: covers}) AS parties
}
RETURN {id: x.id, name: x.name, parties: parties} AS data`,
	// Q5: how many persons (the label count store answers it).
	"q5": `MATCH (n:Person) RETURN count(n) AS data`,
	// search: full-text search over factgraph's index, ranked, ties by id.
	"search": `CALL db.index.fulltext.queryNodes('entity_fulltext', $query) YIELD node, score
WITH node, score ORDER BY score DESC, node.id LIMIT $first
RETURN collect({score: score, id: node.id, name: node.name}) AS data`,
}

// writeQueries create a batch: entities (one label pair per statement, as labels cannot be
// parameters) and relations of two types.
var writeQueries = []struct{ key, query string }{
	{"events", "UNWIND $rows AS row CREATE (n:Entity:Event) SET n = row"},
	{"locations", "UNWIND $rows AS row CREATE (n:Entity:Location) SET n = row"},
	{"locatedIn", "UNWIND $rows AS row MATCH (a:Entity {id: row.from}) MATCH (b:Entity {id: row.to}) CREATE (a)-[r:LOCATED_IN]->(b) SET r = row.props"},
	{"affected", "UNWIND $rows AS row MATCH (a:Entity {id: row.from}) MATCH (b:Entity {id: row.to}) CREATE (a)-[r:AFFECTED]->(b) SET r = row.props"},
}

// Handler serves the shapes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for name, q := range Queries {
		mux.HandleFunc("POST /"+name, func(w http.ResponseWriter, r *http.Request) {
			var p map[string]any
			if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
				http.Error(w, "bad body: "+err.Error(), http.StatusBadRequest)
				return
			}
			s.read(w, r.Context(), q, params(p))
		})
	}
	mux.HandleFunc("POST /write", s.write)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	return mux
}

// params turns JSON numbers, which decode as float64, into the integers Cypher's LIMIT wants.
func params(p map[string]any) map[string]any {
	for k, v := range p {
		if f, ok := v.(float64); ok && f == float64(int64(f)) {
			p[k] = int64(f)
		}
	}
	return p
}

func (s *Server) read(w http.ResponseWriter, ctx context.Context, query string, p map[string]any) {
	sess := s.session(ctx, neo4j.AccessModeRead)
	defer sess.Close(ctx)
	data, err := neo4j.ExecuteRead(ctx, sess, func(tx neo4j.ManagedTransaction) (any, error) {
		res, err := tx.Run(ctx, query, p)
		if err != nil {
			return nil, err
		}
		rec, err := res.Single(ctx)
		if err != nil {
			return nil, err
		}
		v, _ := rec.Get("data")
		return v, nil
	})
	s.reply(w, data, err)
}

func (s *Server) session(ctx context.Context, mode neo4j.AccessMode) neo4j.SessionWithContext {
	return s.driver.NewSession(ctx, neo4j.SessionConfig{AccessMode: mode, DatabaseName: s.db})
}

// write creates a batch in one transaction. The body has events, locations, locatedIn and
// affected rows, ready to SET (ids, names, nameKey, searchText, times).
func (s *Server) write(w http.ResponseWriter, r *http.Request) {
	var body map[string][]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "bad body: "+err.Error(), http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	sess := s.session(ctx, neo4j.AccessModeWrite)
	defer sess.Close(ctx)
	n, err := neo4j.ExecuteWrite(ctx, sess, func(tx neo4j.ManagedTransaction) (int, error) {
		n := 0
		for _, wq := range writeQueries {
			res, err := tx.Run(ctx, wq.query, map[string]any{"rows": body[wq.key]})
			if err != nil {
				return 0, err
			}
			sum, err := res.Consume(ctx)
			if err != nil {
				return 0, err
			}
			n += sum.Counters().NodesCreated() + sum.Counters().RelationshipsCreated()
		}
		return n, nil
	})
	s.reply(w, map[string]any{"created": n}, err)
}

func (s *Server) reply(w http.ResponseWriter, data any, err error) {
	if err != nil {
		s.log.Error("query failed", "err", err)
		http.Error(w, fmt.Sprintf("neo4j: %v", err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(map[string]any{"data": data}); err != nil {
		s.log.Warn("write response", "err", err)
	}
}

// Serve listens on addr until ctx ends, then shuts down within 5 s.
func Serve(ctx context.Context, addr string, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("serving", "addr", addr)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}
