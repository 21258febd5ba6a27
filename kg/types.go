package kg

import "time"

// Time is a point in time as a source gives it: an instant with its UTC offset, how precise it
// is, and, when the source is vaguer still ("less than an hour after the call"), its words.
// Sources rarely give seconds; keeping the precision stops a day-precise date from reading
// as midnight.
type Time struct {
	// At is the instant, with the offset it was given in (kept, not normalised to UTC).
	At time.Time `json:"at"`
	// Precision is how much of At is known. An empty precision means SECOND.
	Precision TimePrecision `json:"precision,omitempty"`
	// Note qualifies the time in words, e.g. "less than an hour after the call".
	Note string `json:"note,omitempty"`
}

// Equal reports whether two times are the same instant, offset, precision and note.
func (t *Time) Equal(u *Time) bool {
	if t == nil || u == nil {
		return t == u
	}
	_, to := t.At.Zone()
	_, uo := u.At.Zone()
	return t.At.Equal(u.At) && to == uo && t.Precision == u.Precision && t.Note == u.Note
}

// Window is the interval a Time may stand for given its precision: a day-precise time covers
// the whole day (in its own offset). End is exclusive.
func (t Time) Window() (start, end time.Time) {
	at := t.At
	y, mo, d := at.Date()
	loc := at.Location()
	switch t.Precision {
	case PrecisionYear:
		start = time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		return start, start.AddDate(1, 0, 0)
	case PrecisionMonth:
		start = time.Date(y, mo, 1, 0, 0, 0, 0, loc)
		return start, start.AddDate(0, 1, 0)
	case PrecisionDay:
		start = time.Date(y, mo, d, 0, 0, 0, 0, loc)
		return start, start.AddDate(0, 0, 1)
	case PrecisionHour:
		// Built from the local clock, not Truncate, which rounds absolute time and so is off
		// by the half hour in offsets such as +05:30.
		start = time.Date(y, mo, d, at.Hour(), 0, 0, 0, loc)
		return start, start.Add(time.Hour)
	case PrecisionMinute:
		start = time.Date(y, mo, d, at.Hour(), at.Minute(), 0, 0, loc)
		return start, start.Add(time.Minute)
	default:
		start = time.Date(y, mo, d, at.Hour(), at.Minute(), at.Second(), 0, loc)
		return start, start.Add(time.Second)
	}
}

// Entity is a node of the graph: a person, country, organization, agreement, piece of
// infrastructure, location or event. The kind-specific fields are zero for other kinds; one
// struct rather than one per kind keeps the stores generic, and the API splits it by Kind.
type Entity struct {
	ID          string
	Kind        EntityKind
	Name        string
	Aliases     []string
	Description string
	// SourceIDs are the sources that describe the entity itself (not its relations).
	SourceIDs []string

	// Category is the kind's free-text subtype: "parliament" or "news outlet" for an
	// organization, "city" for a location, "energy grid" for infrastructure, "phone call" for
	// an event, "partial ceasefire" for an agreement.
	Category string
	// CountryCode is a country's ISO 3166-1 alpha-2 code.
	CountryCode string
	// AgreementStatus is an agreement's life-cycle state.
	AgreementStatus AgreementStatus
	// Scope is what an agreement covers, in words.
	Scope string
	// ValidFrom and ValidTo bound an agreement's validity.
	ValidFrom, ValidTo *Time
	// OccurredAt is when an event happened; DurationMinutes how long it lasted.
	OccurredAt      *Time
	DurationMinutes *int

	CreatedAt, UpdatedAt time.Time
}

// Source is a document that reports facts: an article, a statement, a post, a briefing.
type Source struct {
	ID          string
	Title       string
	URL         string
	Publisher   string
	Author      string
	PublishedAt *Time
	// Category says what the source is: "article", "statement", "social media post".
	Category string

	CreatedAt, UpdatedAt time.Time
}

// Relation is a sourced statement that one entity stands in a typed relation to another:
// the Wikidata statement model (value, qualifiers, references, rank) on a property-graph edge.
// Competing claims are separate relations; none overwrites another.
type Relation struct {
	ID     string
	Type   RelationType
	FromID string
	ToID   string
	// Status is how the sources present the relation.
	Status ClaimStatus
	// ClaimedByID is the entity asserting it ("Russia said…"); empty when the source itself
	// asserts it.
	ClaimedByID string
	// SourceIDs are the sources reporting the relation; at least one.
	SourceIDs []string
	// Quote is a short attributed quote from a source supporting the relation.
	Quote string
	// Confidence is our confidence in the relation, 0..1; nil when not assessed.
	Confidence *float64
	// Role qualifies the relation: the office title of HOLDS_OFFICE, the role of a party.
	Role string
	// Description says more about the relation in words.
	Description string
	// OccurredAt dates a relation that happened at a point in time (an attack, a call);
	// ValidFrom/ValidTo bound one that holds for a while (an office, a pause).
	OccurredAt         *Time
	ValidFrom, ValidTo *Time
	// DisputesIDs are the relations this one disputes or denies.
	DisputesIDs []string

	CreatedAt, UpdatedAt time.Time
}

// SortTime is the instant a relation is ordered and windowed by: when it occurred, else when
// it began to hold. ok is false for an undated relation.
func (r *Relation) SortTime() (t time.Time, ok bool) {
	switch {
	case r.OccurredAt != nil:
		return r.OccurredAt.At, true
	case r.ValidFrom != nil:
		return r.ValidFrom.At, true
	}
	return time.Time{}, false
}

// Earliest is the first instant t may stand for, given its precision.
func (t Time) Earliest() time.Time { s, _ := t.Window(); return s }

// Latest is the end (exclusive) of the interval t may stand for, given its precision.
func (t Time) Latest() time.Time { _, e := t.Window(); return e }
