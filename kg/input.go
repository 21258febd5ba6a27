package kg

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on input sizes; they keep one request from writing pathological data.
const (
	MaxBatch          = 1000
	maxIDLen          = 200
	maxNameLen        = 500
	maxTextLen        = 10000
	maxQuoteLen       = 2000
	maxListLen        = 100
	maxFilterDepth    = 8
	maxSearchQueryLen = 200
	// minYear and maxYear bound stored times: Unix nanoseconds in an int64 span 1678..2262.
	minYear = 1678
	maxYear = 2261
)

// idPattern allows slugs such as "person:volodymyr-zelenskyy" or "rel:2025-03-18/call".
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9:._/\-]*$`)

// EntityInput is an entity as written by upsertEntities. Under ModeMerge (the default) the
// fields it leaves out keep their stored values and those named in Clear are emptied; under
// ModeReplace it is the whole entity. Either way an upsert of the same input twice leaves the
// same graph. The JSON names are the GraphQL input's, so a client can send an input as a
// variable as it is (cleared fields are written as null).
type EntityInput struct {
	ID              string          `json:"id"`
	Kind            EntityKind      `json:"kind"`
	Name            string          `json:"name"`
	Aliases         []string        `json:"aliases,omitempty"`
	Description     string          `json:"description,omitempty"`
	SourceIDs       []string        `json:"sourceIds,omitempty"`
	Category        string          `json:"category,omitempty"`
	CountryCode     string          `json:"countryCode,omitempty"`
	AgreementStatus AgreementStatus `json:"agreementStatus,omitempty"`
	Scope           string          `json:"scope,omitempty"`
	ValidFrom       *Time           `json:"validFrom,omitempty"`
	ValidTo         *Time           `json:"validTo,omitempty"`
	OccurredAt      *Time           `json:"occurredAt,omitempty"`
	DurationMinutes *int            `json:"durationMinutes,omitempty"`
	// Mode says what happens to the stored fields the input leaves out; zero is ModeMerge.
	// The API sets it from the mutation's mode argument.
	Mode UpsertMode `json:"-"`
	// Clear names optional fields (by their GraphQL names) to empty under ModeMerge: the
	// fields a GraphQL client gave as null. A field left out is kept instead.
	Clear []string `json:"-"`
}

// SourceInput is a source as written by upsertSources; Mode and Clear work as for EntityInput.
type SourceInput struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	URL         string `json:"url,omitempty"`
	Publisher   string `json:"publisher,omitempty"`
	Author      string `json:"author,omitempty"`
	PublishedAt *Time  `json:"publishedAt,omitempty"`
	Category    string `json:"category,omitempty"`
	// Mode says what happens to the stored fields the input leaves out; zero is ModeMerge.
	// The API sets it from the mutation's mode argument.
	Mode UpsertMode `json:"-"`
	// Clear names optional fields (by their GraphQL names) to empty under ModeMerge: the
	// fields a GraphQL client gave as null. A field left out is kept instead.
	Clear []string `json:"-"`
}

// RelationInput is a relation as written by upsertRelations; Mode and Clear work as for
// EntityInput.
type RelationInput struct {
	ID          string       `json:"id"`
	Type        RelationType `json:"type"`
	FromID      string       `json:"from"`
	ToID        string       `json:"to"`
	Status      ClaimStatus  `json:"status"`
	ClaimedByID string       `json:"claimedBy,omitempty"`
	SourceIDs   []string     `json:"sourceIds"`
	Quote       string       `json:"quote,omitempty"`
	Confidence  *float64     `json:"confidence,omitempty"`
	Role        string       `json:"role,omitempty"`
	Description string       `json:"description,omitempty"`
	OccurredAt  *Time        `json:"occurredAt,omitempty"`
	ValidFrom   *Time        `json:"validFrom,omitempty"`
	ValidTo     *Time        `json:"validTo,omitempty"`
	DisputesIDs []string     `json:"disputes,omitempty"`
	// Mode says what happens to the stored fields the input leaves out; zero is ModeMerge.
	// The API sets it from the mutation's mode argument.
	Mode UpsertMode `json:"-"`
	// Clear names optional fields (by their GraphQL names) to empty under ModeMerge: the
	// fields a GraphQL client gave as null. A field left out is kept instead.
	Clear []string `json:"-"`
}

// WriteCounts says what an upsert did to each item.
type WriteCounts struct {
	Created, Updated, Unchanged int
}

func checkID(errs *fieldErrs, field, id string) {
	switch {
	case id == "":
		errs.add(field, "is required")
	case len(id) > maxIDLen:
		errs.add(field, "is longer than %d characters", maxIDLen)
	case !idPattern.MatchString(id):
		errs.add(field, "%q is not a valid id (letters, digits and : . _ / - only, starting with a letter or digit)", id)
	}
}

func checkIDList(errs *fieldErrs, field string, ids []string) {
	if len(ids) > maxListLen {
		errs.add(field, "has more than %d items", maxListLen)
	}
	for i, id := range ids {
		checkID(errs, fmt.Sprintf("%s[%d]", field, i), id)
	}
}

func checkText(errs *fieldErrs, field, s string, max int) {
	switch {
	case len(s) > max:
		errs.add(field, "is longer than %d characters", max)
	case !utf8.ValidString(s):
		errs.add(field, "is not valid UTF-8")
	case strings.ContainsFunc(s, func(r rune) bool { return r < ' ' && r != '\t' && r != '\n' && r != '\r' || r == 0x7f }):
		// NUL and other control characters break terminals, logs and some Neo4j tools.
		errs.add(field, "contains a control character")
	}
}

// normTime strips the monotonic clock reading and gives a nil time its default precision.
func normTime(t *Time) *Time {
	if t == nil {
		return nil
	}
	c := *t
	c.At = c.At.Round(0)
	if c.Precision == "" {
		c.Precision = PrecisionSecond
	}
	c.Note = strings.TrimSpace(c.Note)
	return &c
}

func checkTime(errs *fieldErrs, field string, t *Time) {
	if t == nil {
		return
	}
	if t.At.IsZero() {
		errs.add(field+".at", "is required")
	}
	// Relations are ordered and windowed by Unix nanoseconds (RelationTimeKey), which an
	// int64 holds from 1678 to 2262; outside that, order and windows would silently break.
	if y := t.At.Year(); y < minYear || y > maxYear {
		errs.add(field+".at", "year %d is outside %d..%d, the range factgraph can order", y, minYear, maxYear)
	}
	if !t.Precision.Valid() {
		errs.add(field+".precision", "%q is not a valid precision (%s)", t.Precision, OneOf(TimePrecisions))
	}
	checkText(errs, field+".note", t.Note, maxNameLen)
}

func checkWindow(errs *fieldErrs, field string, from, to *Time) {
	if from != nil && to != nil && to.At.Before(from.At) {
		errs.add(field+".validTo", "is before validFrom")
	}
}

// normList trims items, drops empty ones and duplicates, keeps order, and returns nil for an
// empty list so that every store gives back the same value.
func normList(in []string) []string {
	var out []string
	seen := make(map[string]bool, len(in))
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

func checkBatch(errs *fieldErrs, n int) {
	if n > MaxBatch {
		errs.add("input", "has %d items; at most %d are allowed per call", n, MaxBatch)
	}
}

// NormalizeEntities trims and validates a batch of entity inputs, returning them cleaned.
// The error lists every problem, each naming its field as "input[i].field".
func NormalizeEntities(in []EntityInput) ([]EntityInput, error) {
	var errs fieldErrs
	checkBatch(&errs, len(in))
	out := make([]EntityInput, len(in))
	seen := make(map[string]int, len(in))
	for i, e := range in {
		f := fmt.Sprintf("input[%d]", i)
		e.ID = strings.TrimSpace(e.ID)
		e.Name = strings.TrimSpace(e.Name)
		e.Description = strings.TrimSpace(e.Description)
		e.Category = strings.TrimSpace(e.Category)
		e.CountryCode = strings.ToUpper(strings.TrimSpace(e.CountryCode))
		e.Scope = strings.TrimSpace(e.Scope)
		e.Aliases = normList(e.Aliases)
		e.SourceIDs = normList(e.SourceIDs)
		e.ValidFrom, e.ValidTo, e.OccurredAt = normTime(e.ValidFrom), normTime(e.ValidTo), normTime(e.OccurredAt)

		checkID(&errs, f+".id", e.ID)
		if j, dup := seen[e.ID]; dup && e.ID != "" {
			errs.add(f+".id", "%q repeats input[%d].id", e.ID, j)
		}
		seen[e.ID] = i
		if !e.Kind.Valid() {
			errs.add(f+".kind", "%q is not a valid kind (%s)", e.Kind, OneOf(EntityKinds))
		}
		if e.Name == "" {
			errs.add(f+".name", "is required")
		}
		checkText(&errs, f+".name", e.Name, maxNameLen)
		checkText(&errs, f+".description", e.Description, maxTextLen)
		checkText(&errs, f+".category", e.Category, maxNameLen)
		checkText(&errs, f+".scope", e.Scope, maxTextLen)
		if len(e.Aliases) > maxListLen {
			errs.add(f+".aliases", "has more than %d items", maxListLen)
		}
		for j, a := range e.Aliases {
			checkText(&errs, fmt.Sprintf("%s.aliases[%d]", f, j), a, maxNameLen)
		}
		checkIDList(&errs, f+".sourceIds", e.SourceIDs)

		// Kind-specific fields on the wrong kind are an error, not silently dropped: a seed
		// author who sets occurredAt on an agreement meant something.
		only := func(field string, set bool, kind EntityKind) {
			if set && e.Kind.Valid() && e.Kind != kind {
				errs.add(f+"."+field, "applies only to %s entities, not %s", kind, e.Kind)
			}
		}
		only("countryCode", e.CountryCode != "", KindCountry)
		only("agreementStatus", e.AgreementStatus != "", KindAgreement)
		only("scope", e.Scope != "", KindAgreement)
		only("validFrom", e.ValidFrom != nil, KindAgreement)
		only("validTo", e.ValidTo != nil, KindAgreement)
		only("occurredAt", e.OccurredAt != nil, KindEvent)
		only("durationMinutes", e.DurationMinutes != nil, KindEvent)
		if e.CountryCode != "" && !regexp.MustCompile(`^[A-Z]{2}$`).MatchString(e.CountryCode) {
			errs.add(f+".countryCode", "%q is not an ISO 3166-1 alpha-2 code", e.CountryCode)
		}
		if e.AgreementStatus != "" && !e.AgreementStatus.Valid() {
			errs.add(f+".agreementStatus", "%q is not a valid agreement status (%s)", e.AgreementStatus, OneOf(AgreementStatuses))
		}
		if e.DurationMinutes != nil && *e.DurationMinutes < 0 {
			errs.add(f+".durationMinutes", "must not be negative")
		}
		checkTime(&errs, f+".validFrom", e.ValidFrom)
		checkTime(&errs, f+".validTo", e.ValidTo)
		checkTime(&errs, f+".occurredAt", e.OccurredAt)
		checkWindow(&errs, f, e.ValidFrom, e.ValidTo)
		checkMode(&errs, f, e.Mode)
		e.Clear = checkClear(&errs, f, e.Clear, entityClearable, func(name string) bool {
			switch name {
			case "aliases":
				return len(e.Aliases) > 0
			case "description":
				return e.Description != ""
			case "sourceIds":
				return len(e.SourceIDs) > 0
			case "category":
				return e.Category != ""
			case "countryCode":
				return e.CountryCode != ""
			case "agreementStatus":
				return e.AgreementStatus != ""
			case "scope":
				return e.Scope != ""
			case "validFrom":
				return e.ValidFrom != nil
			case "validTo":
				return e.ValidTo != nil
			case "occurredAt":
				return e.OccurredAt != nil
			}
			return e.DurationMinutes != nil
		})
		out[i] = e
	}
	return out, errs.err()
}

// NormalizeSources trims and validates a batch of source inputs.
func NormalizeSources(in []SourceInput) ([]SourceInput, error) {
	var errs fieldErrs
	checkBatch(&errs, len(in))
	out := make([]SourceInput, len(in))
	seen := make(map[string]int, len(in))
	for i, s := range in {
		f := fmt.Sprintf("input[%d]", i)
		s.ID = strings.TrimSpace(s.ID)
		s.Title = strings.TrimSpace(s.Title)
		s.URL = strings.TrimSpace(s.URL)
		s.Publisher = strings.TrimSpace(s.Publisher)
		s.Author = strings.TrimSpace(s.Author)
		s.Category = strings.TrimSpace(s.Category)
		s.PublishedAt = normTime(s.PublishedAt)
		checkID(&errs, f+".id", s.ID)
		if j, dup := seen[s.ID]; dup && s.ID != "" {
			errs.add(f+".id", "%q repeats input[%d].id", s.ID, j)
		}
		seen[s.ID] = i
		if s.Title == "" {
			errs.add(f+".title", "is required")
		}
		checkText(&errs, f+".title", s.Title, maxNameLen)
		checkText(&errs, f+".url", s.URL, maxNameLen)
		if s.URL != "" && !strings.HasPrefix(s.URL, "https://") && !strings.HasPrefix(s.URL, "http://") {
			errs.add(f+".url", "%q is not an http(s) URL", s.URL)
		}
		checkText(&errs, f+".publisher", s.Publisher, maxNameLen)
		checkText(&errs, f+".author", s.Author, maxNameLen)
		checkText(&errs, f+".category", s.Category, maxNameLen)
		checkTime(&errs, f+".publishedAt", s.PublishedAt)
		checkMode(&errs, f, s.Mode)
		s.Clear = checkClear(&errs, f, s.Clear, sourceClearable, func(name string) bool {
			switch name {
			case "url":
				return s.URL != ""
			case "publisher":
				return s.Publisher != ""
			case "author":
				return s.Author != ""
			case "publishedAt":
				return s.PublishedAt != nil
			}
			return s.Category != ""
		})
		out[i] = s
	}
	return out, errs.err()
}

// NormalizeRelations trims and validates a batch of relation inputs. References to other
// ids (from, to, claimedBy, sources, disputes) are checked by the store, inside the write.
func NormalizeRelations(in []RelationInput) ([]RelationInput, error) {
	var errs fieldErrs
	checkBatch(&errs, len(in))
	out := make([]RelationInput, len(in))
	seen := make(map[string]int, len(in))
	for i, r := range in {
		f := fmt.Sprintf("input[%d]", i)
		r.ID = strings.TrimSpace(r.ID)
		r.FromID = strings.TrimSpace(r.FromID)
		r.ToID = strings.TrimSpace(r.ToID)
		r.ClaimedByID = strings.TrimSpace(r.ClaimedByID)
		r.Quote = strings.TrimSpace(r.Quote)
		r.Role = strings.TrimSpace(r.Role)
		r.Description = strings.TrimSpace(r.Description)
		r.SourceIDs = normList(r.SourceIDs)
		r.DisputesIDs = normList(r.DisputesIDs)
		r.OccurredAt, r.ValidFrom, r.ValidTo = normTime(r.OccurredAt), normTime(r.ValidFrom), normTime(r.ValidTo)

		checkID(&errs, f+".id", r.ID)
		if j, dup := seen[r.ID]; dup && r.ID != "" {
			errs.add(f+".id", "%q repeats input[%d].id", r.ID, j)
		}
		seen[r.ID] = i
		if !r.Type.Valid() {
			errs.add(f+".type", "%q is not a valid relation type (%s)", r.Type, OneOf(RelationTypes))
		}
		checkID(&errs, f+".from", r.FromID)
		checkID(&errs, f+".to", r.ToID)
		if !r.Status.Valid() {
			errs.add(f+".status", "%q is not a valid claim status (%s)", r.Status, OneOf(ClaimStatuses))
		}
		if r.ClaimedByID != "" {
			checkID(&errs, f+".claimedBy", r.ClaimedByID)
		}
		if len(r.SourceIDs) == 0 {
			errs.add(f+".sourceIds", "needs at least one source: every relation carries its provenance")
		}
		checkIDList(&errs, f+".sourceIds", r.SourceIDs)
		checkIDList(&errs, f+".disputes", r.DisputesIDs)
		for _, d := range r.DisputesIDs {
			if d == r.ID {
				errs.add(f+".disputes", "a relation cannot dispute itself")
			}
		}
		checkText(&errs, f+".quote", r.Quote, maxQuoteLen)
		checkText(&errs, f+".role", r.Role, maxNameLen)
		checkText(&errs, f+".description", r.Description, maxTextLen)
		if c := r.Confidence; c != nil && (math.IsNaN(*c) || *c < 0 || *c > 1) {
			errs.add(f+".confidence", "%v is outside 0..1", *c)
		}
		checkTime(&errs, f+".occurredAt", r.OccurredAt)
		checkTime(&errs, f+".validFrom", r.ValidFrom)
		checkTime(&errs, f+".validTo", r.ValidTo)
		checkWindow(&errs, f, r.ValidFrom, r.ValidTo)
		checkMode(&errs, f, r.Mode)
		r.Clear = checkClear(&errs, f, r.Clear, relationClearable, func(name string) bool {
			switch name {
			case "claimedBy":
				return r.ClaimedByID != ""
			case "quote":
				return r.Quote != ""
			case "confidence":
				return r.Confidence != nil
			case "role":
				return r.Role != ""
			case "description":
				return r.Description != ""
			case "occurredAt":
				return r.OccurredAt != nil
			case "validFrom":
				return r.ValidFrom != nil
			case "validTo":
				return r.ValidTo != nil
			}
			return len(r.DisputesIDs) > 0
		})
		out[i] = r
	}
	return out, errs.err()
}

// Entity builds the stored entity for an input; created is kept from an existing entity.
func (in EntityInput) Entity(created, updated time.Time) *Entity {
	return &Entity{
		ID: in.ID, Kind: in.Kind, Name: in.Name, Aliases: in.Aliases, Description: in.Description,
		SourceIDs: in.SourceIDs, Category: in.Category, CountryCode: in.CountryCode,
		AgreementStatus: in.AgreementStatus, Scope: in.Scope, ValidFrom: in.ValidFrom,
		ValidTo: in.ValidTo, OccurredAt: in.OccurredAt, DurationMinutes: in.DurationMinutes,
		CreatedAt: created, UpdatedAt: updated,
	}
}

// Source builds the stored source for an input.
func (in SourceInput) Source(created, updated time.Time) *Source {
	return &Source{
		ID: in.ID, Title: in.Title, URL: in.URL, Publisher: in.Publisher, Author: in.Author,
		PublishedAt: in.PublishedAt, Category: in.Category, CreatedAt: created, UpdatedAt: updated,
	}
}

// Relation builds the stored relation for an input.
func (in RelationInput) Relation(created, updated time.Time) *Relation {
	return &Relation{
		ID: in.ID, Type: in.Type, FromID: in.FromID, ToID: in.ToID, Status: in.Status,
		ClaimedByID: in.ClaimedByID, SourceIDs: in.SourceIDs, Quote: in.Quote,
		Confidence: in.Confidence, Role: in.Role, Description: in.Description,
		OccurredAt: in.OccurredAt, ValidFrom: in.ValidFrom, ValidTo: in.ValidTo,
		DisputesIDs: in.DisputesIDs, CreatedAt: created, UpdatedAt: updated,
	}
}

// NormalizeID trims an id argument (of a delete, say) and checks it, naming field; both
// stores use it so that they treat " person:x " and "" alike.
func NormalizeID(field, id string) (string, error) {
	id = strings.TrimSpace(id)
	var errs fieldErrs
	checkID(&errs, field, id)
	return id, errs.err()
}
