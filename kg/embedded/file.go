package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/factgraph/factgraph/kg"
)

// The file layout: one bucket per record type, keyed by public id, each value one JSON record;
// and a meta bucket whose schema key says which layout the file has. JSON rather than gob so
// that a file can be inspected (bbolt's CLI dumps values) and survives field reordering.
const (
	bucketMeta      = "meta"
	bucketEntities  = "entities"
	bucketRelations = "relations"
	bucketSources   = "sources"
	keySchema       = "schema"
	// schemaVersion is the layout this code reads and writes. A change to the records that an
	// older build would misread must bump it (and teach Open to migrate).
	schemaVersion = "1"
)

// openFile opens (or creates) the bbolt file at path and loads the graph from it.
func openFile(path string, lockTimeout time.Duration) (*bolt.DB, *graph, *history, error) {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, nil, nil, fmt.Errorf("embedded: create directory for %s: %w", path, err)
		}
	}
	// bbolt takes an exclusive flock on the file; without a timeout a second server on the
	// same file would block in Open forever with no word of why.
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, nil, nil, fmt.Errorf("embedded: %s is locked by another process (is another factgraph running on it?); gave up after %s: %w", path, lockTimeout, err)
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("embedded: open %s: %w", path, err)
	}
	g, h := newGraph(), newHistory()
	err = prepare(db)
	if err == nil {
		err = db.View(func(tx *bolt.Tx) error {
			if err := load(tx, g); err != nil {
				return err
			}
			return loadHistory(tx, h)
		})
	}
	if err != nil {
		_ = db.Close()
		return nil, nil, nil, fmt.Errorf("embedded: open %s: %w", path, err)
	}
	return db, g, h, nil
}

// prepare checks that an existing file has our layout, and makes a new (empty) file ours. An
// existing file is only read: opening and closing it leaves its bytes as they were.
func prepare(db *bolt.DB) error {
	fresh := false
	err := db.View(func(tx *bolt.Tx) error {
		if meta := tx.Bucket([]byte(bucketMeta)); meta != nil {
			if v := string(meta.Get([]byte(keySchema))); v != schemaVersion {
				return fmt.Errorf("the file has schema version %q; this build reads version %s", v, schemaVersion)
			}
			return nil
		}
		// No meta bucket: only an empty file may become ours, never someone else's bbolt file.
		fresh = true
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			return fmt.Errorf("the file is not a factgraph store (it has a bucket %q but no %s bucket)", name, bucketMeta)
		})
	})
	if err != nil || !fresh {
		return err
	}
	return db.Update(initSchema)
}

// initSchema creates the buckets of a new file and stamps its schema version.
func initSchema(tx *bolt.Tx) error {
	for _, name := range []string{bucketEntities, bucketRelations, bucketSources} {
		if _, err := tx.CreateBucket([]byte(name)); err != nil {
			return err
		}
	}
	meta, err := tx.CreateBucket([]byte(bucketMeta))
	if err != nil {
		return err
	}
	return meta.Put([]byte(keySchema), []byte(schemaVersion))
}

// load reads every record into g.
func load(tx *bolt.Tx, g *graph) error {
	var c change
	err := forEach(tx, bucketSources, func(rec *sourceRecord) { c.sources = append(c.sources, rec.source()) })
	if err == nil {
		err = forEach(tx, bucketEntities, func(rec *entityRecord) { c.entities = append(c.entities, rec.entity()) })
	}
	if err == nil {
		err = forEach(tx, bucketRelations, func(rec *relationRecord) { c.relations = append(c.relations, rec.relation()) })
	}
	if err != nil {
		return err
	}
	g.apply(&c)
	return nil
}

func forEach[R any](tx *bolt.Tx, bucket string, f func(*R)) error {
	b := tx.Bucket([]byte(bucket))
	if b == nil {
		return fmt.Errorf("bucket %s is missing", bucket)
	}
	return b.ForEach(func(k, v []byte) error {
		rec := new(R)
		if err := json.Unmarshal(v, rec); err != nil {
			return fmt.Errorf("%s %q: %w", bucket, k, err)
		}
		f(rec)
		return nil
	})
}

// persist writes c to the file in one transaction, which bbolt fsyncs before Update returns:
// once persist succeeds the change survives a crash; if it fails, nothing of it is in the file.
func (s *Store) persist(c *change) error {
	if s.db == nil {
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		eb := tx.Bucket([]byte(bucketEntities))
		rb := tx.Bucket([]byte(bucketRelations))
		sb := tx.Bucket([]byte(bucketSources))
		for _, id := range c.deleteRelations {
			if err := rb.Delete([]byte(id)); err != nil {
				return err
			}
		}
		for _, id := range c.deleteEntities {
			if err := eb.Delete([]byte(id)); err != nil {
				return err
			}
		}
		for _, src := range c.sources {
			if err := put(sb, src.ID, sourceRecordOf(src)); err != nil {
				return err
			}
		}
		for _, e := range c.entities {
			if err := put(eb, e.ID, entityRecordOf(e)); err != nil {
				return err
			}
		}
		for _, r := range c.relations {
			if err := put(rb, r.ID, relationRecordOf(r)); err != nil {
				return err
			}
		}
		return putRevisions(tx, c.revisions)
	})
	if err != nil {
		// Unavailable keeps the cause for the server's log and shows clients a generic message.
		return kg.Unavailable(fmt.Errorf("embedded: write %s: %w", s.path, err))
	}
	return nil
}

func put(b *bolt.Bucket, id string, rec any) error {
	v, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return b.Put([]byte(id), v)
}

// commit numbers c's revisions, persists c with them and then applies both to memory: the
// order that makes a failed write leave everything unchanged. The caller holds the write lock.
func (s *Store) commit(ctx context.Context, c *change) error {
	if c.empty() {
		return nil
	}
	var err error
	if c.revisions, err = s.revise(ctx, c); err != nil {
		return err
	}
	if err := s.persist(c); err != nil {
		return err
	}
	s.g.apply(c)
	for _, row := range c.revisions {
		s.h.add(row)
	}
	return nil
}

// The records are the file format, spelled out with JSON names rather than encoding the kg
// types directly, so that renaming a Go field cannot silently change what is on disk.

// timeRecord keeps a kg.Time exactly: the instant in UTC plus the offset the source gave, in
// seconds (RFC 3339 text alone cannot carry an offset with seconds, which old local times have).
type timeRecord struct {
	At        time.Time `json:"at"`
	Offset    int       `json:"offset,omitempty"`
	Precision string    `json:"precision,omitempty"`
	Note      string    `json:"note,omitempty"`
}

func timeRecordOf(t *kg.Time) *timeRecord {
	if t == nil {
		return nil
	}
	_, off := t.At.Zone()
	return &timeRecord{At: t.At.UTC(), Offset: off, Precision: string(t.Precision), Note: t.Note}
}

func (r *timeRecord) time() *kg.Time {
	if r == nil {
		return nil
	}
	at := r.At.UTC()
	if r.Offset != 0 {
		at = at.In(time.FixedZone("", r.Offset))
	}
	return &kg.Time{At: at, Precision: kg.TimePrecision(r.Precision), Note: r.Note}
}

type entityRecord struct {
	ID              string      `json:"id"`
	Kind            string      `json:"kind"`
	Name            string      `json:"name"`
	Aliases         []string    `json:"aliases,omitempty"`
	Description     string      `json:"description,omitempty"`
	SourceIDs       []string    `json:"sourceIds,omitempty"`
	Category        string      `json:"category,omitempty"`
	CountryCode     string      `json:"countryCode,omitempty"`
	AgreementStatus string      `json:"agreementStatus,omitempty"`
	Scope           string      `json:"scope,omitempty"`
	ValidFrom       *timeRecord `json:"validFrom,omitempty"`
	ValidTo         *timeRecord `json:"validTo,omitempty"`
	OccurredAt      *timeRecord `json:"occurredAt,omitempty"`
	DurationMinutes *int        `json:"durationMinutes,omitempty"`
	CreatedAt       time.Time   `json:"createdAt"`
	UpdatedAt       time.Time   `json:"updatedAt"`
}

func entityRecordOf(e *kg.Entity) *entityRecord {
	return &entityRecord{
		ID: e.ID, Kind: string(e.Kind), Name: e.Name, Aliases: e.Aliases, Description: e.Description,
		SourceIDs: e.SourceIDs, Category: e.Category, CountryCode: e.CountryCode,
		AgreementStatus: string(e.AgreementStatus), Scope: e.Scope,
		ValidFrom: timeRecordOf(e.ValidFrom), ValidTo: timeRecordOf(e.ValidTo),
		OccurredAt: timeRecordOf(e.OccurredAt), DurationMinutes: e.DurationMinutes,
		CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt,
	}
}

func (r *entityRecord) entity() *kg.Entity {
	return &kg.Entity{
		ID: r.ID, Kind: kg.EntityKind(r.Kind), Name: r.Name, Aliases: r.Aliases,
		Description: r.Description, SourceIDs: r.SourceIDs, Category: r.Category,
		CountryCode: r.CountryCode, AgreementStatus: kg.AgreementStatus(r.AgreementStatus),
		Scope: r.Scope, ValidFrom: r.ValidFrom.time(), ValidTo: r.ValidTo.time(),
		OccurredAt: r.OccurredAt.time(), DurationMinutes: r.DurationMinutes,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

type sourceRecord struct {
	ID          string      `json:"id"`
	Title       string      `json:"title"`
	URL         string      `json:"url,omitempty"`
	Publisher   string      `json:"publisher,omitempty"`
	Author      string      `json:"author,omitempty"`
	PublishedAt *timeRecord `json:"publishedAt,omitempty"`
	Category    string      `json:"category,omitempty"`
	CreatedAt   time.Time   `json:"createdAt"`
	UpdatedAt   time.Time   `json:"updatedAt"`
}

func sourceRecordOf(s *kg.Source) *sourceRecord {
	return &sourceRecord{
		ID: s.ID, Title: s.Title, URL: s.URL, Publisher: s.Publisher, Author: s.Author,
		PublishedAt: timeRecordOf(s.PublishedAt), Category: s.Category,
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
	}
}

func (r *sourceRecord) source() *kg.Source {
	return &kg.Source{
		ID: r.ID, Title: r.Title, URL: r.URL, Publisher: r.Publisher, Author: r.Author,
		PublishedAt: r.PublishedAt.time(), Category: r.Category,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

type relationRecord struct {
	ID          string      `json:"id"`
	Type        string      `json:"type"`
	FromID      string      `json:"from"`
	ToID        string      `json:"to"`
	Status      string      `json:"status"`
	ClaimedByID string      `json:"claimedBy,omitempty"`
	SourceIDs   []string    `json:"sourceIds"`
	Quote       string      `json:"quote,omitempty"`
	Confidence  *float64    `json:"confidence,omitempty"`
	Role        string      `json:"role,omitempty"`
	Description string      `json:"description,omitempty"`
	OccurredAt  *timeRecord `json:"occurredAt,omitempty"`
	ValidFrom   *timeRecord `json:"validFrom,omitempty"`
	ValidTo     *timeRecord `json:"validTo,omitempty"`
	DisputesIDs []string    `json:"disputes,omitempty"`
	CreatedAt   time.Time   `json:"createdAt"`
	UpdatedAt   time.Time   `json:"updatedAt"`
}

func relationRecordOf(r *kg.Relation) *relationRecord {
	return &relationRecord{
		ID: r.ID, Type: string(r.Type), FromID: r.FromID, ToID: r.ToID, Status: string(r.Status),
		ClaimedByID: r.ClaimedByID, SourceIDs: r.SourceIDs, Quote: r.Quote,
		Confidence: r.Confidence, Role: r.Role, Description: r.Description,
		OccurredAt: timeRecordOf(r.OccurredAt), ValidFrom: timeRecordOf(r.ValidFrom),
		ValidTo: timeRecordOf(r.ValidTo), DisputesIDs: r.DisputesIDs,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

func (r *relationRecord) relation() *kg.Relation {
	return &kg.Relation{
		ID: r.ID, Type: kg.RelationType(r.Type), FromID: r.FromID, ToID: r.ToID,
		Status: kg.ClaimStatus(r.Status), ClaimedByID: r.ClaimedByID, SourceIDs: r.SourceIDs,
		Quote: r.Quote, Confidence: r.Confidence, Role: r.Role, Description: r.Description,
		OccurredAt: r.OccurredAt.time(), ValidFrom: r.ValidFrom.time(), ValidTo: r.ValidTo.time(),
		DisputesIDs: r.DisputesIDs, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}
