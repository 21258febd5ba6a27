package kg

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Most of kg's behaviour is held by the contract suite (kg/storetest) through both stores;
// these cover what no store sees.

func TestTimesOutsideTheOrderableRangeAreRejected(t *testing.T) {
	for _, y := range []int{1, 1677, 2262, 9999} {
		_, err := NormalizeRelations([]RelationInput{{ID: "r", Type: RelAttacked, FromID: "a", ToID: "b", Status: StatusClaimed,
			SourceIDs: []string{"s"}, OccurredAt: &Time{At: time.Date(y, 6, 1, 0, 0, 0, 0, time.UTC)}}})
		if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "input[0].occurredAt.at") {
			t.Errorf("year %d: %v", y, err)
		}
		bound := time.Date(y, 6, 1, 0, 0, 0, 0, time.UTC)
		if err := (&RelationFilter{OccurredFrom: &bound}).Check("filter"); err == nil || !strings.Contains(err.Error(), "filter.occurredFrom") {
			t.Errorf("relation filter bound in %d: %v", y, err)
		}
		if err := (&EntityFilter{Not: &EntityFilter{OccurredTo: &bound}}).Check("filter"); err == nil || !strings.Contains(err.Error(), "filter.not.occurredTo") {
			t.Errorf("entity filter bound in %d: %v", y, err)
		}
	}
	for _, y := range []int{1678, 2025, 2261} {
		if _, err := NormalizeRelations([]RelationInput{{ID: "r", Type: RelAttacked, FromID: "a", ToID: "b", Status: StatusClaimed,
			SourceIDs: []string{"s"}, OccurredAt: &Time{At: time.Date(y, 6, 1, 0, 0, 0, 0, time.UTC)}}}); err != nil {
			t.Errorf("year %d rejected: %v", y, err)
		}
	}
}

func TestViolationTiming(t *testing.T) {
	day := func(d int) *Time {
		return &Time{At: time.Date(2025, 3, d, 0, 0, 0, 0, time.UTC), Precision: PrecisionDay}
	}
	at := func(d, h int) *Time {
		return &Time{At: time.Date(2025, 3, d, h, 0, 0, 0, time.UTC), Precision: PrecisionSecond}
	}
	pause := &Entity{Kind: KindAgreement, ValidFrom: day(18), ValidTo: day(20)}
	cases := []struct {
		name string
		when *Time
		want ViolationTiming // "" = not a violation
	}{
		{"inside for sure", at(19, 12), TimingWithin},
		{"on the start day, to the second", at(18, 15), TimingPossiblyWithin},
		{"on the start day, to the day", day(18), TimingPossiblyWithin},
		{"on the last day", at(20, 23), TimingPossiblyWithin},
		{"the day before", day(17), ""},
		{"the day after the last", at(21, 0), ""},
		{"undated", nil, ""},
	}
	for _, c := range cases {
		v, ok := violationTiming(pause, &Relation{OccurredAt: c.when})
		if got := map[bool]ViolationTiming{true: v.Timing}[ok]; got != c.want {
			t.Errorf("%s: %q (%s), want %q", c.name, got, v.Explanation, c.want)
		}
	}
}

func TestWindowUsesTheLocalClock(t *testing.T) {
	ist := time.FixedZone("", 5*3600+1800)
	at := time.Date(2025, 3, 18, 10, 20, 30, 0, ist)
	for p, want := range map[TimePrecision][2]string{
		PrecisionHour:   {"2025-03-18T10:00:00+05:30", "2025-03-18T11:00:00+05:30"},
		PrecisionMinute: {"2025-03-18T10:20:00+05:30", "2025-03-18T10:21:00+05:30"},
		PrecisionDay:    {"2025-03-18T00:00:00+05:30", "2025-03-19T00:00:00+05:30"},
	} {
		s, e := Time{At: at, Precision: p}.Window()
		if got := [2]string{s.Format(time.RFC3339), e.Format(time.RFC3339)}; got != want {
			t.Errorf("%s: %v, want %v", p, got, want)
		}
	}
}
