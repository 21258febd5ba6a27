package embedded

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/factgraph/factgraph/kg"
	"github.com/factgraph/factgraph/kg/storetest"
)

// TestContract holds the embedded store to the contract every kg.Store passes, both purely in
// memory and backed by a file (so that every record also round-trips through the encoding).
func TestContract(t *testing.T) {
	t.Run("Memory", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) kg.Store {
			return openT(t, "")
		})
	})
	t.Run("File", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) kg.Store {
			return openT(t, filepath.Join(t.TempDir(), "graph.db"))
		})
	})
}

func openT(t testing.TB, path string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, opts...)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

var (
	t0 = time.Date(2025, 3, 20, 10, 0, 0, 0, time.UTC)
	t1 = t0.Add(time.Hour)
)

func ptr[T any](v T) *T { return &v }

const (
	srcBBC    = "src:bbc"
	srcTASS   = "src:tass"
	zelenskyy = "person:volodymyr-zelenskyy"
	putin     = "person:vladimir-putin"
	ukraine   = "country:ukraine"
	russia    = "country:russia"
	sudzha    = "infrastructure:sudzha-gas-station"
	call      = "event:trump-putin-call"
	ceasefire = "agreement:energy-ceasefire"
)

func sources() []kg.SourceInput {
	kyiv := time.FixedZone("EET", 2*3600)
	return []kg.SourceInput{
		{ID: srcBBC, Title: "Ukraine and Russia agree to energy truce", URL: "https://www.bbc.com/news/x",
			Publisher: "BBC News", PublishedAt: &kg.Time{At: time.Date(2025, 3, 19, 8, 30, 0, 0, kyiv), Precision: kg.PrecisionMinute}},
		{ID: srcTASS, Title: "Kremlin readout", Category: "statement"},
	}
}

func entities() []kg.EntityInput {
	moscow := time.FixedZone("MSK", 3*3600)
	// An offset with seconds (local mean time) is what RFC 3339 text alone cannot carry.
	lmt := time.FixedZone("LMT", 2*3600+2*60+4)
	return []kg.EntityInput{
		{ID: zelenskyy, Kind: kg.KindPerson, Name: "Volodymyr Zelenskyy", Aliases: []string{"Zelensky", "Зеленський"},
			Description: "President of Ukraine", SourceIDs: []string{srcBBC}},
		{ID: putin, Kind: kg.KindPerson, Name: "Vladimir Putin", Description: "President of Russia"},
		{ID: ukraine, Kind: kg.KindCountry, Name: "Ukraine", CountryCode: "ua"},
		{ID: russia, Kind: kg.KindCountry, Name: "Russia", CountryCode: "RU"},
		{ID: sudzha, Kind: kg.KindInfrastructure, Name: "Sudzha gas metering station", Category: "gas station"},
		{ID: call, Kind: kg.KindEvent, Name: "Trump–Putin phone call", Category: "phone call",
			OccurredAt:      &kg.Time{At: time.Date(2025, 3, 18, 17, 0, 0, 0, moscow), Precision: kg.PrecisionHour, Note: "afternoon"},
			DurationMinutes: ptr(150)},
		{ID: ceasefire, Kind: kg.KindAgreement, Name: "Energy infrastructure ceasefire", AgreementStatus: kg.AgreementAgreed,
			Scope:     "energy infrastructure",
			ValidFrom: &kg.Time{At: time.Date(2025, 3, 18, 0, 0, 0, 0, lmt), Precision: kg.PrecisionDay},
			ValidTo:   &kg.Time{At: time.Date(2025, 4, 17, 0, 0, 0, 0, time.UTC), Precision: kg.PrecisionDay}},
	}
}

func relations() []kg.RelationInput {
	return []kg.RelationInput{
		{ID: "rel:putin-agreed", Type: kg.RelAgreed, FromID: putin, ToID: ceasefire, Status: kg.StatusConfirmed,
			SourceIDs: []string{srcBBC, srcTASS}, Confidence: ptr(0.9), Quote: "agreed to a 30-day pause",
			OccurredAt: &kg.Time{At: time.Date(2025, 3, 18, 18, 0, 0, 0, time.UTC), Precision: kg.PrecisionDay}},
		{ID: "rel:attack-claim", Type: kg.RelAttacked, FromID: ukraine, ToID: sudzha, Status: kg.StatusClaimed,
			ClaimedByID: russia, SourceIDs: []string{srcTASS}},
		{ID: "rel:attack-denial", Type: kg.RelAttacked, FromID: ukraine, ToID: sudzha, Status: kg.StatusDenied,
			ClaimedByID: ukraine, SourceIDs: []string{srcBBC}, DisputesIDs: []string{"rel:attack-claim"}},
	}
}

// seed writes the fixture and returns the store.
func seed(t testing.TB, s *Store) {
	t.Helper()
	ctx := context.Background()
	if _, _, err := s.UpsertSources(ctx, sources()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.UpsertEntities(ctx, entities()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.UpsertRelations(ctx, relations()); err != nil {
		t.Fatal(err)
	}
}

// snapshot is the whole graph as file records: comparable with reflect.DeepEqual, and exact
// about instants and offsets (unlike time.Time's internal location pointers).
type snapshot struct {
	Entities  map[string]*entityRecord
	Relations map[string]*relationRecord
	Sources   map[string]*sourceRecord
}

func snap(t testing.TB, s *Store) snapshot {
	t.Helper()
	s.mu.RLock()
	defer s.mu.RUnlock()
	sn := snapshot{map[string]*entityRecord{}, map[string]*relationRecord{}, map[string]*sourceRecord{}}
	for id, row := range s.g.entities {
		sn.Entities[id] = entityRecordOf(row.e)
	}
	for id, row := range s.g.relations {
		sn.Relations[id] = relationRecordOf(row.r)
	}
	for id, src := range s.g.sources {
		sn.Sources[id] = sourceRecordOf(src)
	}
	return sn
}

func stats(t testing.TB, s kg.Store) *kg.Stats {
	t.Helper()
	st, err := s.Stats(context.Background(), kg.StatsQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestDurability(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "dir", "graph.db") // the directory is created
	clk := &clock{t: t0}

	s := openT(t, path, WithClock(clk.now))
	seed(t, s)
	before := snap(t, s)
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}

	s = openT(t, path, WithClock(clk.now))
	if after := snap(t, s); !reflect.DeepEqual(before, after) {
		t.Fatalf("reloaded graph differs:\nbefore %+v\nafter  %+v", before, after)
	}
	want := &kg.Stats{Entities: 7, Relations: 3, Sources: 2,
		ByKind:   map[kg.EntityKind]int{kg.KindPerson: 2, kg.KindCountry: 2, kg.KindInfrastructure: 1, kg.KindEvent: 1, kg.KindAgreement: 1},
		ByType:   map[kg.RelationType]int{kg.RelAgreed: 1, kg.RelAttacked: 2},
		ByStatus: map[kg.ClaimStatus]int{kg.StatusConfirmed: 1, kg.StatusClaimed: 1, kg.StatusDenied: 1},
		BySource: map[string]int{srcBBC: 2, srcTASS: 2}}
	if got := stats(t, s); !reflect.DeepEqual(got, want) {
		t.Fatalf("stats after reload = %+v, want %+v", got, want)
	}

	// Offsets survive exactly, including one with seconds.
	ag, err := kg.GetEntity(ctx, s, ceasefire)
	if err != nil {
		t.Fatal(err)
	}
	if _, off := ag.ValidFrom.At.Zone(); off != 2*3600+2*60+4 {
		t.Errorf("validFrom offset = %d, want 7324", off)
	}
	if !ag.ValidFrom.At.Equal(time.Date(2025, 3, 18, 0, 0, 0, 0, time.FixedZone("", 7324))) {
		t.Errorf("validFrom = %v", ag.ValidFrom.At)
	}

	// Re-running the seed on the reloaded file changes nothing: Same sees through the encoding.
	clk.set(t1)
	_, counts, err := s.UpsertEntities(ctx, entities())
	if err != nil {
		t.Fatal(err)
	}
	if counts != (kg.WriteCounts{Unchanged: 7}) {
		t.Errorf("re-upsert counts = %+v, want 7 unchanged", counts)
	}
	_, counts, err = s.UpsertRelations(ctx, relations())
	if err != nil || counts != (kg.WriteCounts{Unchanged: 3}) {
		t.Errorf("re-upsert relations = %+v, %v; want 3 unchanged", counts, err)
	}

	// An update keeps createdAt, moves updatedAt, and is durable too.
	in := entities()[:1]
	in[0].Description = "President of Ukraine since 2019"
	got, counts, err := s.UpsertEntities(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if counts != (kg.WriteCounts{Updated: 1}) || !got[0].CreatedAt.Equal(t0) || !got[0].UpdatedAt.Equal(t1) {
		t.Fatalf("update: counts %+v createdAt %v updatedAt %v", counts, got[0].CreatedAt, got[0].UpdatedAt)
	}
	if err := s.DeleteRelation(ctx, "rel:putin-agreed"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}

	s = openT(t, path)
	e, err := kg.GetEntity(ctx, s, zelenskyy)
	if err != nil {
		t.Fatal(err)
	}
	if e.Description != "President of Ukraine since 2019" || !e.CreatedAt.Equal(t0) || !e.UpdatedAt.Equal(t1) {
		t.Errorf("after reopen: %q createdAt %v updatedAt %v", e.Description, e.CreatedAt, e.UpdatedAt)
	}
	if _, err := kg.GetRelation(ctx, s, "rel:putin-agreed"); !errors.Is(err, kg.ErrNotFound) {
		t.Errorf("deleted relation after reopen: err = %v, want not found", err)
	}
	if st := stats(t, s); st.Relations != 2 || st.Entities != 7 {
		t.Errorf("stats after reopen = %+v", st)
	}
}

func TestFailedBatchLeavesFileUnchanged(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "graph.db")
	s := openT(t, path)
	seed(t, s)
	before := snap(t, s)
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	fileBefore, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	s = openT(t, path)
	// The first item is fine; the second and third refer to ids that do not exist. Nothing
	// may be written, and every problem is reported.
	_, _, err = s.UpsertRelations(ctx, []kg.RelationInput{
		{ID: "rel:ok", Type: kg.RelSpokeWith, FromID: putin, ToID: zelenskyy, Status: kg.StatusClaimed, SourceIDs: []string{srcBBC}},
		{ID: "rel:bad", Type: kg.RelSpokeWith, FromID: "person:nobody", ToID: zelenskyy, Status: kg.StatusClaimed,
			ClaimedByID: "country:nowhere", SourceIDs: []string{srcBBC, "src:missing"}, DisputesIDs: []string{"rel:ok", "rel:gone"}},
		{ID: "rel:bad2", Type: kg.RelSpokeWith, FromID: putin, ToID: "person:nobody2", Status: kg.StatusClaimed, SourceIDs: []string{srcTASS}},
	})
	var fe *kg.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want field errors", err)
	}
	want := []kg.FieldError{
		{Field: "input[1].from", Message: `entity "person:nobody" does not exist`},
		{Field: "input[1].claimedBy", Message: `entity "country:nowhere" does not exist`},
		{Field: "input[1].sourceIds[1]", Message: `source "src:missing" does not exist`},
		{Field: "input[1].disputes[1]", Message: `relation "rel:gone" does not exist`},
		{Field: "input[2].to", Message: `entity "person:nobody2" does not exist`},
	}
	if !reflect.DeepEqual(fe.List, want) {
		t.Errorf("field errors =\n%v\nwant\n%v", fe.List, want)
	}
	if code, _ := kg.ErrorCode(err); code != kg.CodeInvalidInput {
		t.Errorf("code = %v", code)
	}
	_, _, err = s.UpsertEntities(ctx, []kg.EntityInput{
		{ID: "person:new", Kind: kg.KindPerson, Name: "New"},
		{ID: "person:new2", Kind: kg.KindPerson, Name: "New 2", SourceIDs: []string{"src:missing"}},
	})
	if !errors.As(err, &fe) || len(fe.List) != 1 || fe.List[0].Field != "input[1].sourceIds[0]" {
		t.Errorf("entity batch err = %v", err)
	}
	if got := snap(t, s); !reflect.DeepEqual(got, before) {
		t.Error("memory changed after failed batches")
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	fileAfter, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fileBefore, fileAfter) {
		t.Error("file bytes changed after failed batches")
	}
	s = openT(t, path)
	if got := snap(t, s); !reflect.DeepEqual(got, before) {
		t.Error("reloaded graph differs after failed batches")
	}
}

// A write whose commit fails (here: the file is gone from under the store) reports
// unavailable and leaves memory as it was.
func TestFailedPersistChangesNothing(t *testing.T) {
	ctx := context.Background()
	s := openT(t, filepath.Join(t.TempDir(), "graph.db"))
	seed(t, s)
	before := snap(t, s)
	if err := s.db.Close(); err != nil {
		t.Fatal(err)
	}
	in := entities()
	in[0].Name = "Changed"
	_, _, err := s.UpsertEntities(ctx, append(in, kg.EntityInput{ID: "person:new", Kind: kg.KindPerson, Name: "New"}))
	if !errors.Is(err, kg.ErrUnavailable) {
		t.Fatalf("err = %v, want unavailable", err)
	}
	if !errors.Is(err, berrors.ErrDatabaseNotOpen) {
		t.Errorf("cause not kept for logs: %v", err)
	}
	if _, err := s.DeleteEntity(ctx, putin, true); !errors.Is(err, kg.ErrUnavailable) {
		t.Errorf("delete err = %v, want unavailable", err)
	}
	if err := s.DeleteRelation(ctx, "rel:attack-claim"); !errors.Is(err, kg.ErrUnavailable) {
		t.Errorf("delete relation err = %v, want unavailable", err)
	}
	if got := snap(t, s); !reflect.DeepEqual(got, before) {
		t.Error("memory changed although the write failed")
	}
}

func TestSecondOpenFailsFast(t *testing.T) {
	path := filepath.Join(t.TempDir(), "graph.db")
	s := openT(t, path)
	start := time.Now()
	s2, err := Open(context.Background(), path, WithLockTimeout(200*time.Millisecond))
	elapsed := time.Since(start)
	if err == nil {
		_ = s2.Close(context.Background())
		t.Fatal("second Open of a locked file succeeded")
	}
	if !errors.Is(err, berrors.ErrTimeout) || !strings.Contains(err.Error(), "locked by another process") {
		t.Errorf("err = %v", err)
	}
	if elapsed > 5*time.Second {
		t.Errorf("second Open took %v", elapsed)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	openT(t, path) // free again
}

func TestOpenRejectsForeignFiles(t *testing.T) {
	dir := t.TempDir()

	other := filepath.Join(dir, "other.db")
	db, err := bolt.Open(other, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("widgets")); return err }); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	if _, err := Open(context.Background(), other); err == nil || !strings.Contains(err.Error(), "not a factgraph store") {
		t.Errorf("foreign bbolt file: err = %v", err)
	}

	newer := filepath.Join(dir, "newer.db")
	s := openT(t, newer)
	_ = s.Close(context.Background())
	db, err = bolt.Open(newer, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketMeta)).Put([]byte(keySchema), []byte("99"))
	}); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	if _, err := Open(context.Background(), newer); err == nil || !strings.Contains(err.Error(), `schema version "99"`) {
		t.Errorf("newer schema: err = %v", err)
	}

	text := filepath.Join(dir, "text.db")
	if err := os.WriteFile(text, []byte(strings.Repeat("not a database\n", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), text); err == nil {
		t.Error("text file opened as a store")
	}
}

func TestClosed(t *testing.T) {
	ctx := context.Background()
	s := openT(t, "")
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.Ping(ctx); !errors.Is(err, kg.ErrUnavailable) {
		t.Errorf("Ping after Close = %v", err)
	}
	if _, err := s.EntitiesByIDs(ctx, []string{"x"}); !errors.Is(err, kg.ErrUnavailable) {
		t.Errorf("read after Close = %v", err)
	}
	if _, _, err := s.UpsertSources(ctx, sources()); !errors.Is(err, kg.ErrUnavailable) {
		t.Errorf("write after Close = %v", err)
	}
}

// Nothing a caller gets back, or passes in, is shared with the store's state.
func TestNoAliasing(t *testing.T) {
	ctx := context.Background()
	s := openT(t, "")
	src := sources()
	gotSrc, _, err := s.UpsertSources(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	in := entities()
	gotE, _, err := s.UpsertEntities(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	rin := relations()
	gotR, _, err := s.UpsertRelations(ctx, rin)
	if err != nil {
		t.Fatal(err)
	}
	before := snap(t, s)

	// Mutate the inputs...
	*in[5].DurationMinutes = 1
	in[5].OccurredAt.Note = "mutated"
	*rin[0].Confidence = 0.1
	src[0].PublishedAt.Note = "mutated"
	// ...and everything handed out.
	mutE := func(e *kg.Entity) {
		e.Name = "mutated"
		if len(e.Aliases) > 0 {
			e.Aliases[0] = "mutated"
		}
		if len(e.SourceIDs) > 0 {
			e.SourceIDs[0] = "mutated"
		}
		if e.DurationMinutes != nil {
			*e.DurationMinutes = -1
		}
		if e.OccurredAt != nil {
			e.OccurredAt.Note = "mutated"
		}
		if e.ValidFrom != nil {
			e.ValidFrom.At = time.Time{}
		}
	}
	mutR := func(r *kg.Relation) {
		r.SourceIDs[0] = "mutated"
		if len(r.DisputesIDs) > 0 {
			r.DisputesIDs[0] = "mutated"
		}
		if r.Confidence != nil {
			*r.Confidence = -1
		}
		if r.OccurredAt != nil {
			r.OccurredAt.Precision = "mutated"
		}
	}
	for _, e := range gotE {
		mutE(e)
	}
	for _, r := range gotR {
		mutR(r)
	}
	for _, x := range gotSrc {
		if x.PublishedAt != nil {
			x.PublishedAt.Note = "mutated"
		}
	}
	es, _ := s.EntitiesByIDs(ctx, []string{zelenskyy, call, ceasefire})
	for _, e := range es {
		mutE(e)
	}
	page, err := s.Entities(ctx, kg.EntityQuery{First: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range page.Items {
		mutE(e)
	}
	rpage, err := s.Relations(ctx, kg.RelationQuery{First: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rpage.Items {
		mutR(r)
	}
	nb, err := s.Neighbors(ctx, kg.NeighborQuery{EntityIDs: []string{ukraine, putin}, First: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range nb {
		for _, r := range p.Items {
			mutR(r)
		}
	}
	hits, err := s.Search(ctx, kg.SearchQuery{Text: "zelenskyy"})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		mutE(h.Entity)
	}
	ss, _ := s.SourcesByIDs(ctx, []string{srcBBC})
	ss[0].PublishedAt.Note = "mutated"

	if got := snap(t, s); !reflect.DeepEqual(got, before) {
		t.Fatalf("store state changed through a returned or passed-in value:\nbefore %+v\nafter  %+v", before, got)
	}
}

func TestDeleteKeepsNoDanglingReferences(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: t0}
	path := filepath.Join(t.TempDir(), "graph.db")
	s := openT(t, path, WithClock(clk.now))
	seed(t, s)

	// russia is the claimant of rel:attack-claim: deleting it would strip that claim's
	// provenance, with or without detach.
	for _, detach := range []bool{false, true} {
		_, err := s.DeleteEntity(ctx, russia, detach)
		if !errors.Is(err, kg.ErrConflict) || !strings.Contains(err.Error(), "rel:attack-claim") {
			t.Errorf("DeleteEntity(russia, %v) = %v, want conflict naming the claim", detach, err)
		}
	}
	// ukraine claims rel:attack-denial, which is also from ukraine: detach deletes it, so
	// that is no conflict; without detach the relations are.
	_, err := s.DeleteEntity(ctx, ukraine, false)
	if !errors.Is(err, kg.ErrConflict) {
		t.Errorf("DeleteEntity(ukraine, false) = %v, want conflict", err)
	}
	if _, err := s.DeleteEntity(ctx, "person:nobody", true); !errors.Is(err, kg.ErrNotFound) {
		t.Errorf("missing entity: %v", err)
	}
	if err := s.DeleteRelation(ctx, "rel:nothing"); !errors.Is(err, kg.ErrNotFound) {
		t.Errorf("missing relation: %v", err)
	}

	// Deleting a disputed relation drops it from its disputer's DisputesIDs.
	clk.set(t1)
	if err := s.DeleteRelation(ctx, "rel:attack-claim"); err != nil {
		t.Fatal(err)
	}
	d, err := kg.GetRelation(ctx, s, "rel:attack-denial")
	if err != nil {
		t.Fatal(err)
	}
	if d.DisputesIDs != nil || !d.UpdatedAt.Equal(t1) || !d.CreatedAt.Equal(t0) {
		t.Errorf("disputer after delete: disputes %v updatedAt %v", d.DisputesIDs, d.UpdatedAt)
	}
	// Now russia is free to go; ukraine goes with its relation.
	if n, err := s.DeleteEntity(ctx, russia, false); n != 0 || err != nil {
		t.Errorf("DeleteEntity(russia) = %d, %v", n, err)
	}
	if n, err := s.DeleteEntity(ctx, ukraine, true); n != 1 || err != nil {
		t.Errorf("DeleteEntity(ukraine, detach) = %d, %v", n, err)
	}
	nb, err := s.Neighbors(ctx, kg.NeighborQuery{EntityIDs: []string{sudzha}, First: 10})
	if err != nil || nb[sudzha].TotalCount != 0 || len(nb[sudzha].Items) != 0 {
		t.Errorf("sudzha neighbors after delete = %+v, %v", nb[sudzha], err)
	}
	before := snap(t, s)
	_ = s.Close(ctx)
	s = openT(t, path)
	if got := snap(t, s); !reflect.DeepEqual(got, before) {
		t.Errorf("reloaded graph differs after deletes")
	}
	if len(before.Relations) != 1 || len(before.Entities) != 5 {
		t.Errorf("after deletes: %d relations, %d entities", len(before.Relations), len(before.Entities))
	}
	checkInvariants(t, s)
}

func TestSearchRanking(t *testing.T) {
	ctx := context.Background()
	s := openT(t, "")
	seed(t, s)
	_, _, err := s.UpsertEntities(ctx, []kg.EntityInput{
		{ID: "organization:office-of-the-president", Kind: kg.KindOrganization, Name: "Office of the President of Ukraine",
			Description: "Serves president Zelenskyy"},
	})
	if err != nil {
		t.Fatal(err)
	}
	search := func(text string, kinds ...kg.EntityKind) []string {
		t.Helper()
		hits, err := s.Search(ctx, kg.SearchQuery{Text: text, Kinds: kinds})
		if err != nil {
			t.Fatalf("Search(%q): %v", text, err)
		}
		var ids []string
		for i, h := range hits {
			ids = append(ids, h.Entity.ID)
			if i > 0 && h.Score > hits[i-1].Score {
				t.Errorf("Search(%q): scores not descending: %v", text, hits)
			}
		}
		return ids
	}
	for _, text := range []string{"zelensky", "Zelenskiy", "Zelenskyy", "volodymyr zelenskyy", "Зеленський", "zelenksyy"} {
		if got := search(text); len(got) == 0 || got[0] != zelenskyy {
			t.Errorf("Search(%q) = %v, want %s first", text, got, zelenskyy)
		}
	}
	// The name match outranks the description match.
	if got := search("zelenskyy"); !reflect.DeepEqual(got, []string{zelenskyy, "organization:office-of-the-president"}) {
		t.Errorf("Search(zelenskyy) = %v", got)
	}
	if got := search("president", kg.KindOrganization); !reflect.DeepEqual(got, []string{"organization:office-of-the-president"}) {
		t.Errorf("Search(president, ORGANIZATION) = %v", got)
	}
	// Equal scores break on id.
	if got := search("president", kg.KindPerson); !reflect.DeepEqual(got, []string{putin, zelenskyy}) {
		t.Errorf("Search(president, PERSON) = %v", got)
	}
	if got := search("xyzzy"); len(got) != 0 {
		t.Errorf("Search(xyzzy) = %v, want none", got)
	}
	// Short terms are not fuzzy: "pubin" (5 runes) is one edit from "putin", "ptn" is not a term.
	// Both names have the word "putin" (the en dash splits words); the shorter name ranks first.
	if got := search("pubin"); !reflect.DeepEqual(got, []string{putin, call}) {
		t.Errorf("Search(pubin) = %v", got)
	}
	if got := search("ptn"); len(got) != 0 {
		t.Errorf("Search(ptn) = %v, want none", got)
	}
	hits, err := s.Search(ctx, kg.SearchQuery{Text: "president", Limit: 1})
	if err != nil || len(hits) != 1 {
		t.Errorf("Limit 1: %v, %v", hits, err)
	}
	if _, err := s.Search(ctx, kg.SearchQuery{Text: " ?! "}); !errors.Is(err, kg.ErrInvalidInput) {
		t.Errorf("empty query: %v", err)
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b  string
		limit int
		want  int
	}{
		{"zelenskiy", "zelenskyy", 2, 1},
		{"zelensky", "zelenskyy", 2, 1},
		{"zelenksyy", "zelenskyy", 2, 1}, // transposition
		{"kitten", "sitting", 3, 3},
		{"kitten", "sitting", 1, 2}, // gives up past the limit
		{"abc", "abc", 0, 0},
		{"зеленський", "зеленскій", 2, 2},
	} {
		if got := editDistance([]rune(c.a), []rune(c.b), c.limit); got != c.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", c.a, c.b, c.limit, got, c.want)
		}
	}
}

// Readers and writers at once, for the race detector; the final state is checked.
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	s := openT(t, filepath.Join(t.TempDir(), "graph.db"))
	seed(t, s)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 25 {
				id := fmt.Sprintf("person:w%d-%d", w, i)
				if _, _, err := s.UpsertEntities(ctx, []kg.EntityInput{{ID: id, Kind: kg.KindPerson, Name: id}}); err != nil {
					t.Error(err)
					return
				}
			}
		})
		wg.Go(func() {
			for range 25 {
				if _, err := s.Entities(ctx, kg.EntityQuery{First: 10}); err != nil {
					t.Error(err)
				}
				if _, err := s.Search(ctx, kg.SearchQuery{Text: "person"}); err != nil {
					t.Error(err)
				}
				if _, err := s.Neighbors(ctx, kg.NeighborQuery{EntityIDs: []string{ukraine}, First: 5}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if got := stats(t, s).Entities; got != 7+4*25 {
		t.Errorf("entities = %d, want %d", got, 7+4*25)
	}
	checkInvariants(t, s)
}

// Walking every page of a listing yields every match once, in order, with consistent counts.
func TestPagingWalk(t *testing.T) {
	ctx := context.Background()
	s := openT(t, "")
	seed(t, s)
	for _, o := range []kg.EntityOrder{{Field: kg.EntityOrderName, Direction: kg.Asc}, {Field: kg.EntityOrderName, Direction: kg.Desc},
		{Field: kg.EntityOrderID, Direction: kg.Desc}} {
		var ids []string
		after := ""
		for {
			p, err := s.Entities(ctx, kg.EntityQuery{OrderBy: o, First: 2, After: after})
			if err != nil {
				t.Fatal(err)
			}
			if p.TotalCount != 7 {
				t.Fatalf("%v: totalCount %d", o, p.TotalCount)
			}
			for _, e := range p.Items {
				ids = append(ids, e.ID)
			}
			if !p.HasNextPage {
				break
			}
			after = o.Cursor(p.Items[len(p.Items)-1])
		}
		want := map[kg.EntityOrder][]string{
			{Field: kg.EntityOrderName, Direction: kg.Asc}:  {ceasefire, russia, sudzha, call, ukraine, putin, zelenskyy},
			{Field: kg.EntityOrderName, Direction: kg.Desc}: {zelenskyy, putin, ukraine, call, sudzha, russia, ceasefire},
			{Field: kg.EntityOrderID, Direction: kg.Desc}:   {zelenskyy, putin, sudzha, call, ukraine, russia, ceasefire},
		}[o]
		if !reflect.DeepEqual(ids, want) {
			t.Errorf("%v: walked %v, want %v", o, ids, want)
		}
	}
	p, err := s.Entities(ctx, kg.EntityQuery{First: 0})
	if err != nil || len(p.Items) != 0 || p.TotalCount != 7 || !p.HasNextPage {
		t.Errorf("first 0: %+v, %v", p, err)
	}
	// Relations in time order: the undated ones last, by id.
	rp, err := s.Relations(ctx, kg.RelationQuery{First: 10})
	if err != nil {
		t.Fatal(err)
	}
	var rids []string
	for _, r := range rp.Items {
		rids = append(rids, r.ID)
	}
	if want := []string{"rel:putin-agreed", "rel:attack-claim", "rel:attack-denial"}; !reflect.DeepEqual(rids, want) {
		t.Errorf("relations by time = %v, want %v", rids, want)
	}
	rp, err = s.Relations(ctx, kg.RelationQuery{First: 10, After: kg.NeighborOrder.Cursor(rp.Items[0])})
	if err != nil || rp.TotalCount != 3 || len(rp.Items) != 2 || rp.Items[0].ID != "rel:attack-claim" || rp.HasNextPage {
		t.Errorf("relations after first: %+v, %v", rp, err)
	}
	if _, err := s.Entities(ctx, kg.EntityQuery{First: 1, After: kg.NeighborOrder.Cursor(rp.Items[0])}); !errors.Is(err, kg.ErrInvalidInput) {
		t.Errorf("cursor of another ordering: err = %v", err)
	}
}

func benchEntities(n int) []kg.EntityInput {
	in := make([]kg.EntityInput, n)
	for i := range in {
		in[i] = kg.EntityInput{ID: fmt.Sprintf("person:p%06d", i), Kind: kg.KindPerson,
			Name: fmt.Sprintf("Person %d", (i*7919)%n), Aliases: []string{"alias"}, Description: "an official of some ministry"}
	}
	return in
}

// BenchmarkUpsertEntities writes batches of 500 new entities to a file-backed store: the cost
// a seed load pays per call, dominated by the fsync of the commit.
func BenchmarkUpsertEntities(b *testing.B) {
	ctx := context.Background()
	s := openT(b, filepath.Join(b.TempDir(), "graph.db"))
	in := benchEntities(500)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		for j := range in {
			in[j].ID = fmt.Sprintf("person:b%d-%d", i, j)
		}
		if _, _, err := s.UpsertEntities(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEntities lists one page of 10k entities by name, with and without a filter.
func BenchmarkEntities(b *testing.B) {
	ctx := context.Background()
	s := openT(b, "")
	all := benchEntities(10000)
	for i := 0; i < len(all); i += kg.MaxBatch {
		if _, _, err := s.UpsertEntities(ctx, all[i:i+kg.MaxBatch]); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name string
		q    kg.EntityQuery
	}{
		{"all", kg.EntityQuery{First: 20}},
		{"nameContains", kg.EntityQuery{First: 20, Filter: &kg.EntityFilter{NameContains: "99"}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := s.Entities(ctx, bc.q)
				if err != nil || len(p.Items) != 20 {
					b.Fatalf("%v, %v", p, err)
				}
			}
		})
	}
}

// checkInvariants recomputes every index from the maps and compares.
func checkInvariants(t testing.TB, s *Store) {
	t.Helper()
	s.mu.RLock()
	defer s.mu.RUnlock()
	g := s.g

	ids := func(m map[string]*entityRow, cmp func(a, b *entityRow) int) []*entityRow {
		var rows []*entityRow
		for _, r := range m {
			rows = append(rows, r)
		}
		slices.SortFunc(rows, cmp)
		return rows
	}
	if want := ids(g.entities, compareEntities(kg.EntityOrderName)); !slices.Equal(g.entitiesByName.rows, want) {
		t.Fatalf("entitiesByName out of sync: %d rows, want %d", len(g.entitiesByName.rows), len(want))
	}
	if want := ids(g.entities, compareEntities(kg.EntityOrderID)); !slices.Equal(g.entitiesByID.rows, want) {
		t.Fatalf("entitiesByID out of sync")
	}
	var rels []*relationRow
	for _, r := range g.relations {
		rels = append(rels, r)
		if r.timeKey != kg.RelationTimeKey(r.r) {
			t.Fatalf("stale time key on %s", r.r.ID)
		}
	}
	for _, field := range []kg.RelationOrderField{kg.RelationOrderTime, kg.RelationOrderID} {
		want := slices.Clone(rels)
		slices.SortFunc(want, compareRelations(field))
		if got := g.relationIndex(field); !slices.Equal(got, want) {
			t.Fatalf("relation index %s out of sync", field)
		}
	}
	var srcs []*kg.Source
	for _, src := range g.sources {
		srcs = append(srcs, src)
	}
	slices.SortFunc(srcs, compareSources)
	if !slices.Equal(g.sourcesByID.rows, srcs) {
		t.Fatal("sourcesByID out of sync")
	}

	want := newGraph()
	for _, r := range g.relations {
		want.putRelation(r.r)
		for _, end := range []string{r.r.FromID, r.r.ToID, r.r.ClaimedByID} {
			if end != "" && g.entities[end] == nil {
				t.Fatalf("relation %s refers to missing entity %q", r.r.ID, end)
			}
		}
		for _, d := range r.r.DisputesIDs {
			if g.relations[d] == nil {
				t.Fatalf("relation %s disputes missing relation %q", r.r.ID, d)
			}
		}
	}
	gotOut, gotIn := adjacencySets(t, g)
	wantOut, wantIn := adjacencySets(t, want)
	for name, pair := range map[string][2]map[string]idSet{
		"out": {gotOut, wantOut}, "in": {gotIn, wantIn}, "claims": {g.claims, want.claims},
		"disputedBy": {g.disputedBy, want.disputedBy},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Fatalf("%s index out of sync:\n got %v\nwant %v", name, pair[0], pair[1])
		}
	}
}

// adjacencySets flattens the adjacency index to entity id → relation ids (from it, to it),
// checking on the way that every relation is filed under its ends and the counts add up.
func adjacencySets(t testing.TB, g *graph) (out, in map[string]idSet) {
	t.Helper()
	out, in = map[string]idSet{}, map[string]idSet{}
	for id, a := range g.adj {
		nOut, nIn, nSelf := 0, 0, 0
		for other, rows := range a.out {
			for _, row := range rows {
				if row.r.FromID != id || row.r.ToID != other || g.relations[row.r.ID] != row {
					t.Fatalf("relation %s misfiled under out[%s][%s]", row.r.ID, id, other)
				}
				addRef(out, id, row.r.ID)
				nOut++
				if other == id {
					nSelf++
				}
			}
		}
		for other, rows := range a.in {
			for _, row := range rows {
				if row.r.ToID != id || row.r.FromID != other || g.relations[row.r.ID] != row {
					t.Fatalf("relation %s misfiled under in[%s][%s]", row.r.ID, id, other)
				}
				addRef(in, id, row.r.ID)
				nIn++
			}
		}
		if nOut != a.nOut || nIn != a.nIn || nSelf != a.nSelf || nOut+nIn == 0 {
			t.Fatalf("adjacency of %s counts %d/%d/%d, holds %d/%d/%d", id, a.nOut, a.nIn, a.nSelf, nOut, nIn, nSelf)
		}
	}
	return out, in
}

// A random mix of writes and deletes keeps every index in sync with the maps, and every
// listing, walked page by page, equals a naive filter-and-sort of everything.
func TestRandomOperationsKeepIndexesConsistent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "graph.db")
	s := openT(t, path)
	rng := rand.New(rand.NewPCG(1, 2))
	if _, _, err := s.UpsertSources(ctx, sources()); err != nil {
		t.Fatal(err)
	}
	names := []string{"Alpha", "beta", "Gamma", "alpha", "Delta"} // repeats (after folding) test id tie-breaks
	kinds := []kg.EntityKind{kg.KindPerson, kg.KindCountry, kg.KindLocation}
	entityID := func() string { return fmt.Sprintf("e:%02d", rng.IntN(25)) }
	relationID := func() string { return fmt.Sprintf("r:%02d", rng.IntN(50)) }
	existing := func(prefix string) []string {
		var out []string
		s.mu.RLock()
		defer s.mu.RUnlock()
		if prefix == "e" {
			for id := range s.g.entities {
				out = append(out, id)
			}
		} else {
			for id := range s.g.relations {
				out = append(out, id)
			}
		}
		slices.Sort(out)
		return out
	}
	for op := range 600 {
		switch n := rng.IntN(10); {
		case n < 3:
			batch := []kg.EntityInput{}
			seen := map[string]bool{}
			for range 1 + rng.IntN(4) {
				id := entityID()
				if seen[id] {
					continue
				}
				seen[id] = true
				batch = append(batch, kg.EntityInput{ID: id, Kind: kinds[rng.IntN(len(kinds))], Name: names[rng.IntN(len(names))]})
			}
			if _, _, err := s.UpsertEntities(ctx, batch); err != nil {
				t.Fatal(err)
			}
		case n < 7:
			es, rs := existing("e"), existing("r")
			if len(es) == 0 {
				continue
			}
			in := kg.RelationInput{ID: relationID(), Type: kg.RelationTypes[rng.IntN(3)], FromID: es[rng.IntN(len(es))],
				ToID: es[rng.IntN(len(es))], Status: kg.StatusClaimed, SourceIDs: []string{srcBBC}}
			if rng.IntN(2) == 0 {
				in.OccurredAt = &kg.Time{At: t0.Add(time.Duration(rng.IntN(5)) * time.Hour)}
			}
			if rng.IntN(3) == 0 {
				in.ClaimedByID = es[rng.IntN(len(es))]
			}
			if len(rs) > 0 && rng.IntN(3) == 0 {
				if d := rs[rng.IntN(len(rs))]; d != in.ID {
					in.DisputesIDs = []string{d}
				}
			}
			if _, _, err := s.UpsertRelations(ctx, []kg.RelationInput{in}); err != nil {
				t.Fatal(err)
			}
		case n < 8:
			_, err := s.DeleteEntity(ctx, entityID(), rng.IntN(2) == 0)
			if err != nil && !errors.Is(err, kg.ErrNotFound) && !errors.Is(err, kg.ErrConflict) {
				t.Fatal(err)
			}
		default:
			if err := s.DeleteRelation(ctx, relationID()); err != nil && !errors.Is(err, kg.ErrNotFound) {
				t.Fatal(err)
			}
		}
		if op%25 == 0 {
			checkInvariants(t, s)
		}
	}
	checkInvariants(t, s)

	// Walk every listing and compare with a naive evaluation.
	all, _ := s.EntitiesByIDs(ctx, existing("e"))
	filters := []*kg.EntityFilter{nil, {Kinds: []kg.EntityKind{kg.KindPerson}}, {NameContains: "ALP"},
		{IDs: []string{"e:01", "e:02", "e:03", "e:04", "e:05", "e:99"}, Not: &kg.EntityFilter{Kinds: []kg.EntityKind{kg.KindCountry}}}}
	for _, f := range filters {
		for _, o := range []kg.EntityOrder{{Field: kg.EntityOrderName, Direction: kg.Asc}, {Field: kg.EntityOrderName, Direction: kg.Desc},
			{Field: kg.EntityOrderID, Direction: kg.Asc}, {Field: kg.EntityOrderID, Direction: kg.Desc}} {
			var want []string
			var matches []*kg.Entity
			for _, e := range all {
				if f.Match(e) {
					matches = append(matches, e)
				}
			}
			slices.SortFunc(matches, func(a, b *kg.Entity) int {
				c := strings.Compare(o.SortKey(a), o.SortKey(b))
				if c == 0 {
					c = strings.Compare(a.ID, b.ID)
				}
				if o.Direction == kg.Desc {
					c = -c
				}
				return c
			})
			for _, e := range matches {
				want = append(want, e.ID)
			}
			var got []string
			after := ""
			for {
				p, err := s.Entities(ctx, kg.EntityQuery{Filter: f, OrderBy: o, First: 3, After: after})
				if err != nil {
					t.Fatal(err)
				}
				if p.TotalCount != len(want) {
					t.Fatalf("filter %+v order %v: totalCount %d, want %d", f, o, p.TotalCount, len(want))
				}
				for _, e := range p.Items {
					got = append(got, e.ID)
				}
				if !p.HasNextPage {
					break
				}
				after = o.Cursor(p.Items[len(p.Items)-1])
			}
			if !slices.Equal(got, want) {
				t.Errorf("filter %+v order %v:\n got %v\nwant %v", f, o, got, want)
			}
		}
	}
	allR, _ := s.RelationsByIDs(ctx, existing("r"))
	es := existing("e")
	rfilters := []*kg.RelationFilter{nil, {Types: []kg.RelationType{kg.RelationTypes[0]}}, {EntityID: es[0]}, {FromID: es[len(es)-1]},
		{OccurredFrom: ptr(t0.Add(time.Hour))}}
	for _, f := range rfilters {
		for _, o := range []kg.RelationOrder{{Field: kg.RelationOrderTime, Direction: kg.Asc}, {Field: kg.RelationOrderTime, Direction: kg.Desc},
			{Field: kg.RelationOrderID, Direction: kg.Desc}} {
			var matches []*kg.Relation
			for _, r := range allR {
				if f.Match(r) {
					matches = append(matches, r)
				}
			}
			slices.SortFunc(matches, func(a, b *kg.Relation) int {
				c := 0
				if o.Field == kg.RelationOrderTime {
					c = cmp.Compare(kg.RelationTimeKey(a), kg.RelationTimeKey(b))
				}
				if c == 0 {
					c = strings.Compare(a.ID, b.ID)
				}
				if o.Direction == kg.Desc {
					c = -c
				}
				return c
			})
			var want, got []string
			for _, r := range matches {
				want = append(want, r.ID)
			}
			after := ""
			for {
				p, err := s.Relations(ctx, kg.RelationQuery{Filter: f, OrderBy: o, First: 4, After: after})
				if err != nil {
					t.Fatal(err)
				}
				if p.TotalCount != len(want) {
					t.Fatalf("relation filter %+v order %v: totalCount %d, want %d", f, o, p.TotalCount, len(want))
				}
				for _, r := range p.Items {
					got = append(got, r.ID)
				}
				if !p.HasNextPage {
					break
				}
				after = o.Cursor(p.Items[len(p.Items)-1])
			}
			if !slices.Equal(got, want) {
				t.Errorf("relation filter %+v order %v:\n got %v\nwant %v", f, o, got, want)
			}
		}
	}
	if len(allR) < 10 || len(all) < 10 {
		t.Errorf("random run left too little to test: %d entities, %d relations", len(all), len(allR))
	}

	// And the file holds the same graph.
	before := snap(t, s)
	_ = s.Close(ctx)
	s = openT(t, path)
	if got := snap(t, s); !reflect.DeepEqual(got, before) {
		t.Error("reloaded graph differs after random operations")
	}
	checkInvariants(t, s)
}

// BenchmarkSearch searches 10k entities with a fuzzy two-word query.
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	s := openT(b, "")
	all := benchEntities(10000)
	for i := 0; i < len(all); i += kg.MaxBatch {
		if _, _, err := s.UpsertEntities(ctx, all[i:i+kg.MaxBatch]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		hits, err := s.Search(ctx, kg.SearchQuery{Text: "ministri persn 4711"})
		if err != nil || len(hits) == 0 {
			b.Fatalf("%v, %v", hits, err)
		}
	}
}
