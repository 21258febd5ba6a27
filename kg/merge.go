package kg

import (
	"encoding/json"
	"io"
	"slices"
)

// UpsertMode says what an upsert does with the fields of an existing object that the input
// does not give.
//
// Merge is the default because a sparse input is far more often a stub than a deliberate
// wipe: a second seed file that mentions country:saudi-arabia by id, kind and name to relate
// something to it must not erase the country's code and sources. Clearing a field under merge
// takes an explicit null (Clear); replacing the whole object takes ModeReplace.
type UpsertMode string

// The upsert modes.
const (
	// ModeMerge keeps the stored value of every field the input does not give; a field named
	// in the input's Clear is emptied. A new object is written as given.
	ModeMerge UpsertMode = "MERGE"
	// ModeReplace writes the input as the whole object: what it leaves out is cleared.
	ModeReplace UpsertMode = "REPLACE"
)

// UpsertModes lists the modes, the default first.
var UpsertModes = []UpsertMode{ModeMerge, ModeReplace}

// Valid reports whether m is a mode; the zero mode is valid and means ModeMerge.
func (m UpsertMode) Valid() bool { return m == "" || m == ModeMerge || m == ModeReplace }

// replaces reports whether m is ModeReplace.
func (m UpsertMode) replaces() bool { return m == ModeReplace }

// UnmarshalGQL implements gqlgen's Unmarshaler.
func (m *UpsertMode) UnmarshalGQL(v any) (err error) {
	*m, err = unmarshalEnum(v, func(m UpsertMode) bool { return m == ModeMerge || m == ModeReplace }, "UpsertMode")
	return err
}

// MarshalGQL implements gqlgen's Marshaler.
func (m UpsertMode) MarshalGQL(w io.Writer) { marshalEnum(w, string(m)) }

// The fields an input may clear under merge, by their GraphQL names: the optional ones. The
// required fields (id, kind, name; type, from, to, status, sourceIds of a relation) are
// always given, so there is nothing to keep or clear.
var (
	entityClearable   = []string{"aliases", "description", "sourceIds", "category", "countryCode", "agreementStatus", "scope", "validFrom", "validTo", "occurredAt", "durationMinutes"}
	sourceClearable   = []string{"url", "publisher", "author", "publishedAt", "category"}
	relationClearable = []string{"claimedBy", "quote", "confidence", "role", "description", "occurredAt", "validFrom", "validTo", "disputes"}
)

// checkClear checks the names an input asks to clear: each must be an optional field, named
// once, and not also given a value (given reports whether the input sets a field).
func checkClear(errs *fieldErrs, f string, clear, clearable []string, given func(string) bool) []string {
	out := normList(clear)
	for _, name := range out {
		switch {
		case !slices.Contains(clearable, name):
			errs.add(f+".clear", "%q is not a field that can be cleared (one of %v)", name, clearable)
		case given(name):
			errs.add(f+"."+name, "is both given a value and cleared")
		}
	}
	return out
}

// keep returns the stored value when the input leaves a field out (zero and not cleared).
func keep[T any](in T, zero bool, cleared bool, stored T) T {
	if zero && !cleared {
		return stored
	}
	return in
}

// Merged returns what writing in over old amounts to, as an input to write whole: in itself
// when there is nothing to merge (a new object, or ModeReplace), else in with every field it
// leaves out taken from old. Fields that apply to one kind only are not carried over when the
// kind changes: they could not stay.
func (in EntityInput) Merged(old *Entity) EntityInput {
	if old == nil || in.Mode.replaces() {
		return in
	}
	out := in
	c := func(name string) bool { return slices.Contains(in.Clear, name) }
	out.Aliases = keep(in.Aliases, len(in.Aliases) == 0, c("aliases"), old.Aliases)
	out.Description = keep(in.Description, in.Description == "", c("description"), old.Description)
	out.SourceIDs = keep(in.SourceIDs, len(in.SourceIDs) == 0, c("sourceIds"), old.SourceIDs)
	out.Category = keep(in.Category, in.Category == "", c("category"), old.Category)
	if old.Kind == in.Kind {
		out.CountryCode = keep(in.CountryCode, in.CountryCode == "", c("countryCode"), old.CountryCode)
		out.AgreementStatus = keep(in.AgreementStatus, in.AgreementStatus == "", c("agreementStatus"), old.AgreementStatus)
		out.Scope = keep(in.Scope, in.Scope == "", c("scope"), old.Scope)
		out.ValidFrom = keep(in.ValidFrom, in.ValidFrom == nil, c("validFrom"), old.ValidFrom)
		out.ValidTo = keep(in.ValidTo, in.ValidTo == nil, c("validTo"), old.ValidTo)
		out.OccurredAt = keep(in.OccurredAt, in.OccurredAt == nil, c("occurredAt"), old.OccurredAt)
		out.DurationMinutes = keep(in.DurationMinutes, in.DurationMinutes == nil, c("durationMinutes"), old.DurationMinutes)
	}
	out.Clear = nil
	return out
}

// Merged returns what writing in over old amounts to (see EntityInput.Merged).
func (in SourceInput) Merged(old *Source) SourceInput {
	if old == nil || in.Mode.replaces() {
		return in
	}
	out := in
	c := func(name string) bool { return slices.Contains(in.Clear, name) }
	out.URL = keep(in.URL, in.URL == "", c("url"), old.URL)
	out.Publisher = keep(in.Publisher, in.Publisher == "", c("publisher"), old.Publisher)
	out.Author = keep(in.Author, in.Author == "", c("author"), old.Author)
	out.PublishedAt = keep(in.PublishedAt, in.PublishedAt == nil, c("publishedAt"), old.PublishedAt)
	out.Category = keep(in.Category, in.Category == "", c("category"), old.Category)
	out.Clear = nil
	return out
}

// Merged returns what writing in over old amounts to (see EntityInput.Merged).
func (in RelationInput) Merged(old *Relation) RelationInput {
	if old == nil || in.Mode.replaces() {
		return in
	}
	out := in
	c := func(name string) bool { return slices.Contains(in.Clear, name) }
	out.ClaimedByID = keep(in.ClaimedByID, in.ClaimedByID == "", c("claimedBy"), old.ClaimedByID)
	out.Quote = keep(in.Quote, in.Quote == "", c("quote"), old.Quote)
	out.Confidence = keep(in.Confidence, in.Confidence == nil, c("confidence"), old.Confidence)
	out.Role = keep(in.Role, in.Role == "", c("role"), old.Role)
	out.Description = keep(in.Description, in.Description == "", c("description"), old.Description)
	out.OccurredAt = keep(in.OccurredAt, in.OccurredAt == nil, c("occurredAt"), old.OccurredAt)
	out.ValidFrom = keep(in.ValidFrom, in.ValidFrom == nil, c("validFrom"), old.ValidFrom)
	out.ValidTo = keep(in.ValidTo, in.ValidTo == nil, c("validTo"), old.ValidTo)
	out.DisputesIDs = keep(in.DisputesIDs, len(in.DisputesIDs) == 0, c("disputes"), old.DisputesIDs)
	out.Clear = nil
	return out
}

// MergeEntities merges a normalized batch over the stored entities (old, by id) and checks
// the result again: a kept validTo may now precede a given validFrom. Stores call it inside
// the write, after reading what exists.
func MergeEntities(norm []EntityInput, old func(id string) *Entity) ([]EntityInput, error) {
	out := make([]EntityInput, len(norm))
	for i, in := range norm {
		out[i] = in.Merged(old(in.ID))
	}
	return NormalizeEntities(out)
}

// MergeSources merges a normalized batch over the stored sources.
func MergeSources(norm []SourceInput, old func(id string) *Source) ([]SourceInput, error) {
	out := make([]SourceInput, len(norm))
	for i, in := range norm {
		out[i] = in.Merged(old(in.ID))
	}
	return NormalizeSources(out)
}

// MergeRelations merges a normalized batch over the stored relations.
func MergeRelations(norm []RelationInput, old func(id string) *Relation) ([]RelationInput, error) {
	out := make([]RelationInput, len(norm))
	for i, in := range norm {
		out[i] = in.Merged(old(in.ID))
	}
	return NormalizeRelations(out)
}

// checkMode checks an input's mode.
func checkMode(errs *fieldErrs, f string, m UpsertMode) {
	if !m.Valid() {
		errs.add(f+".mode", "%q is not a valid mode (%v)", m, UpsertModes)
	}
}

// withNulls marshals v (a plain copy of an input) with an explicit null for every field in
// clear: that is how a GraphQL client says "clear it" under merge, so an input marshalled as a
// request variable means what it meant in Go.
func withNulls(v any, clear []string) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || len(clear) == 0 {
		return b, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for _, f := range clear {
		m[f] = json.RawMessage("null")
	}
	return json.Marshal(m)
}

// MarshalJSON writes the input as a GraphQL client sends it, cleared fields as null.
func (in EntityInput) MarshalJSON() ([]byte, error) {
	type plain EntityInput
	return withNulls(plain(in), in.Clear)
}

// MarshalJSON writes the input as a GraphQL client sends it, cleared fields as null.
func (in SourceInput) MarshalJSON() ([]byte, error) {
	type plain SourceInput
	return withNulls(plain(in), in.Clear)
}

// MarshalJSON writes the input as a GraphQL client sends it, cleared fields as null.
func (in RelationInput) MarshalJSON() ([]byte, error) {
	type plain RelationInput
	return withNulls(plain(in), in.Clear)
}

// ClearableFields lists the optional fields of EntityInput, by GraphQL name: those Clear may
// name. The API uses it to turn a client's explicit nulls into Clear.
func (EntityInput) ClearableFields() []string { return slices.Clone(entityClearable) }

// ClearableFields lists the optional fields of SourceInput.
func (SourceInput) ClearableFields() []string { return slices.Clone(sourceClearable) }

// ClearableFields lists the optional fields of RelationInput.
func (RelationInput) ClearableFields() []string { return slices.Clone(relationClearable) }
