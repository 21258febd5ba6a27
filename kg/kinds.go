// Package kg holds factgraph's domain: the entities, sources and sourced relations of the
// knowledge graph, the queries over them, the errors they raise, and the Store interface that
// every storage backend implements.
package kg

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// EntityKind is the kind of an entity. In Neo4j it is also the node's second label, which is
// why the values are a closed set: labels cannot be query parameters, so they come only from
// this allow-list.
type EntityKind string

// The entity kinds.
const (
	KindPerson         EntityKind = "PERSON"
	KindCountry        EntityKind = "COUNTRY"
	KindOrganization   EntityKind = "ORGANIZATION"
	KindAgreement      EntityKind = "AGREEMENT"
	KindInfrastructure EntityKind = "INFRASTRUCTURE"
	KindLocation       EntityKind = "LOCATION"
	KindEvent          EntityKind = "EVENT"
)

// EntityKinds lists every kind, in the order the API documents them.
var EntityKinds = []EntityKind{KindPerson, KindCountry, KindOrganization, KindAgreement, KindInfrastructure, KindLocation, KindEvent}

var entityLabels = map[EntityKind]string{
	KindPerson: "Person", KindCountry: "Country", KindOrganization: "Organization",
	KindAgreement: "Agreement", KindInfrastructure: "Infrastructure", KindLocation: "Location",
	KindEvent: "Event",
}

// Valid reports whether k is one of the declared kinds.
func (k EntityKind) Valid() bool { _, ok := entityLabels[k]; return ok }

// Label is the Neo4j node label (and GraphQL type name) of the kind; "" for an unknown kind.
func (k EntityKind) Label() string { return entityLabels[k] }

// RelationType is the type of a relation; in Neo4j it is the relationship type, so like
// EntityKind it is a closed allow-list.
type RelationType string

// The relation types.
const (
	RelAgreed            RelationType = "AGREED"
	RelAttacked          RelationType = "ATTACKED"
	RelProposedOwnership RelationType = "PROPOSED_OWNERSHIP"
	RelProposed          RelationType = "PROPOSED"
	RelSpokeWith         RelationType = "SPOKE_WITH"
	RelPartyTo           RelationType = "PARTY_TO"
	RelCovers            RelationType = "COVERS"
	RelHoldsOffice       RelationType = "HOLDS_OFFICE"
	RelMemberOf          RelationType = "MEMBER_OF"
	RelLocatedIn         RelationType = "LOCATED_IN"
	RelRequested         RelationType = "REQUESTED"
	RelMediated          RelationType = "MEDIATED"
	RelStated            RelationType = "STATED"
	RelReported          RelationType = "REPORTED"
	RelParticipatedIn    RelationType = "PARTICIPATED_IN"
	RelAffected          RelationType = "AFFECTED"
	RelPartOf            RelationType = "PART_OF"
	RelSupersedes        RelationType = "SUPERSEDES"
	RelViolated          RelationType = "VIOLATED"
	RelDiscussed         RelationType = "DISCUSSED"
)

// RelationTypes lists every relation type.
var RelationTypes = []RelationType{
	RelAgreed, RelAttacked, RelProposedOwnership, RelProposed, RelSpokeWith, RelPartyTo,
	RelCovers, RelHoldsOffice, RelMemberOf, RelLocatedIn, RelRequested, RelMediated, RelStated,
	RelReported, RelParticipatedIn, RelAffected, RelPartOf, RelSupersedes, RelViolated,
	RelDiscussed,
}

// Valid reports whether t is one of the declared relation types.
func (t RelationType) Valid() bool {
	for _, v := range RelationTypes {
		if v == t {
			return true
		}
	}
	return false
}

// ClaimStatus says how the sources present a relation.
type ClaimStatus string

// The claim statuses, from firm to rejected.
const (
	StatusConfirmed ClaimStatus = "CONFIRMED"
	StatusClaimed   ClaimStatus = "CLAIMED"
	StatusAlleged   ClaimStatus = "ALLEGED"
	StatusDisputed  ClaimStatus = "DISPUTED"
	StatusDenied    ClaimStatus = "DENIED"
)

// ClaimStatuses lists every claim status.
var ClaimStatuses = []ClaimStatus{StatusConfirmed, StatusClaimed, StatusAlleged, StatusDisputed, StatusDenied}

// Valid reports whether s is one of the declared statuses.
func (s ClaimStatus) Valid() bool {
	for _, v := range ClaimStatuses {
		if v == s {
			return true
		}
	}
	return false
}

// AgreementStatus is the life-cycle state of an agreement.
type AgreementStatus string

// The agreement statuses.
const (
	AgreementProposed  AgreementStatus = "PROPOSED"
	AgreementAgreed    AgreementStatus = "AGREED"
	AgreementInForce   AgreementStatus = "IN_FORCE"
	AgreementViolated  AgreementStatus = "VIOLATED"
	AgreementExpired   AgreementStatus = "EXPIRED"
	AgreementAbandoned AgreementStatus = "ABANDONED"
)

// AgreementStatuses lists every agreement status.
var AgreementStatuses = []AgreementStatus{AgreementProposed, AgreementAgreed, AgreementInForce, AgreementViolated, AgreementExpired, AgreementAbandoned}

// Valid reports whether s is one of the declared statuses.
func (s AgreementStatus) Valid() bool {
	for _, v := range AgreementStatuses {
		if v == s {
			return true
		}
	}
	return false
}

// TimePrecision says how much of a Time is known.
type TimePrecision string

// The precisions, coarse to fine.
const (
	PrecisionYear   TimePrecision = "YEAR"
	PrecisionMonth  TimePrecision = "MONTH"
	PrecisionDay    TimePrecision = "DAY"
	PrecisionHour   TimePrecision = "HOUR"
	PrecisionMinute TimePrecision = "MINUTE"
	PrecisionSecond TimePrecision = "SECOND"
)

// TimePrecisions lists every precision, coarse to fine.
var TimePrecisions = []TimePrecision{PrecisionYear, PrecisionMonth, PrecisionDay, PrecisionHour, PrecisionMinute, PrecisionSecond}

// Valid reports whether p is one of the declared precisions.
func (p TimePrecision) Valid() bool {
	for _, v := range TimePrecisions {
		if v == p {
			return true
		}
	}
	return false
}

// Direction selects relations by which end an entity is on.
type Direction string

// The directions.
const (
	DirectionOut  Direction = "OUT"
	DirectionIn   Direction = "IN"
	DirectionBoth Direction = "BOTH"
)

// Valid reports whether d is one of the declared directions.
func (d Direction) Valid() bool { return d == DirectionOut || d == DirectionIn || d == DirectionBoth }

// SortDirection orders a list ascending or descending.
type SortDirection string

// The sort directions.
const (
	Asc  SortDirection = "ASC"
	Desc SortDirection = "DESC"
)

// The enums double as GraphQL enums: gqlgen calls these methods, so the domain types bind
// directly and the API cannot drift from the allow-lists the stores use.

func unmarshalEnum[T ~string](v any, valid func(T) bool, name string) (T, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s must be a string", name)
	}
	if !valid(T(s)) {
		return "", fmt.Errorf("%q is not a valid %s", s, name)
	}
	return T(s), nil
}

// OneOf lists an enum's values for an error message: "one of PERSON, COUNTRY, ...", so whoever
// wrote a wrong value sees the right ones.
func OneOf[T ~string](values []T) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = string(v)
	}
	return "one of " + strings.Join(parts, ", ")
}

func marshalEnum(w io.Writer, s string) { _, _ = io.WriteString(w, strconv.Quote(s)) }

// UnmarshalGQL implements gqlgen's Unmarshaler.
func (k *EntityKind) UnmarshalGQL(v any) (err error) {
	*k, err = unmarshalEnum(v, EntityKind.Valid, "EntityKind")
	return err
}

// MarshalGQL implements gqlgen's Marshaler.
func (k EntityKind) MarshalGQL(w io.Writer) { marshalEnum(w, string(k)) }

// UnmarshalGQL implements gqlgen's Unmarshaler.
func (t *RelationType) UnmarshalGQL(v any) (err error) {
	*t, err = unmarshalEnum(v, RelationType.Valid, "RelationType")
	return err
}

// MarshalGQL implements gqlgen's Marshaler.
func (t RelationType) MarshalGQL(w io.Writer) { marshalEnum(w, string(t)) }

// UnmarshalGQL implements gqlgen's Unmarshaler.
func (s *ClaimStatus) UnmarshalGQL(v any) (err error) {
	*s, err = unmarshalEnum(v, ClaimStatus.Valid, "ClaimStatus")
	return err
}

// MarshalGQL implements gqlgen's Marshaler.
func (s ClaimStatus) MarshalGQL(w io.Writer) { marshalEnum(w, string(s)) }

// UnmarshalGQL implements gqlgen's Unmarshaler.
func (s *AgreementStatus) UnmarshalGQL(v any) (err error) {
	*s, err = unmarshalEnum(v, AgreementStatus.Valid, "AgreementStatus")
	return err
}

// MarshalGQL implements gqlgen's Marshaler.
func (s AgreementStatus) MarshalGQL(w io.Writer) { marshalEnum(w, string(s)) }

// UnmarshalGQL implements gqlgen's Unmarshaler.
func (p *TimePrecision) UnmarshalGQL(v any) (err error) {
	*p, err = unmarshalEnum(v, TimePrecision.Valid, "TimePrecision")
	return err
}

// MarshalGQL implements gqlgen's Marshaler.
func (p TimePrecision) MarshalGQL(w io.Writer) { marshalEnum(w, string(p)) }

// UnmarshalGQL implements gqlgen's Unmarshaler.
func (d *Direction) UnmarshalGQL(v any) (err error) {
	*d, err = unmarshalEnum(v, Direction.Valid, "Direction")
	return err
}

// MarshalGQL implements gqlgen's Marshaler.
func (d Direction) MarshalGQL(w io.Writer) { marshalEnum(w, string(d)) }

// UnmarshalGQL implements gqlgen's Unmarshaler.
func (d *SortDirection) UnmarshalGQL(v any) (err error) {
	*d, err = unmarshalEnum(v, func(d SortDirection) bool { return d == Asc || d == Desc }, "SortDirection")
	return err
}

// MarshalGQL implements gqlgen's Marshaler.
func (d SortDirection) MarshalGQL(w io.Writer) { marshalEnum(w, string(d)) }
