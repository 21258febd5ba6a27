package seed

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
	"github.com/factgraph/factgraph/kg/embedded"
)

const (
	dataFile = "data/2025-03-energy-ceasefire.yaml"
	article  = "source:2025-03-19-energy-ceasefire-article"
	briefing = "source:2025-03-19-white-house-press-briefing"
	statemnt = "source:2025-03-19-waltz-rubio-statement"
	truth    = "source:2025-03-19-trump-truth-social-post"
	trump18  = "source:2025-03-18-trump-statement"
	trump19  = "source:2025-03-19-trump-statements"
	sovsun   = "source:2025-03-18-inna-sovsun-post"
	bbc      = "source:2025-03-bbc-report-russia-claims-ukrainian-energy-strikes"
	nypost   = "source:2025-03-new-york-post-us-go-betweens"
	pause    = "agreement:2025-03-energy-infrastructure-strike-pause"
)

func builtin(t *testing.T) *Bundle {
	t.Helper()
	b, err := Builtin()
	if err != nil {
		t.Fatalf("Builtin: %v", err)
	}
	return b
}

func relation(t *testing.T, b *Bundle, id string) kg.RelationInput {
	t.Helper()
	for _, r := range b.Relations {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("relation %s not in the seed", id)
	return kg.RelationInput{}
}

func entity(t *testing.T, b *Bundle, id string) kg.EntityInput {
	t.Helper()
	for _, e := range b.Entities {
		if e.ID == id {
			return e
		}
	}
	t.Fatalf("entity %s not in the seed", id)
	return kg.EntityInput{}
}

func source(t *testing.T, b *Bundle, id string) kg.SourceInput {
	t.Helper()
	for _, s := range b.Sources {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("source %s not in the seed", id)
	return kg.SourceInput{}
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func checkTime(t *testing.T, what string, got *kg.Time, at time.Time, p kg.TimePrecision, noteHas string) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: no time, want %s %s", what, at.Format(time.RFC3339), p)
		return
	}
	if !got.At.Equal(at) || got.Precision != p || !strings.Contains(got.Note, noteHas) {
		t.Errorf("%s = %s %s %q, want %s %s (note containing %q)", what, got.At.Format(time.RFC3339), got.Precision, got.Note, at.Format(time.RFC3339), p, noteHas)
	}
	if _, off := got.At.Zone(); off != 0 {
		t.Errorf("%s: offset %d, want UTC (the file's timezone)", what, off)
	}
}

func TestBuiltinParsesAndValidates(t *testing.T) {
	b := builtin(t)
	if len(b.Sources) != 9 || len(b.Entities) < 30 || len(b.Relations) < 70 {
		t.Errorf("builtin has %d sources, %d entities, %d relations", len(b.Sources), len(b.Entities), len(b.Relations))
	}
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	// The stores' own validation accepts every item, so Apply cannot fail on input.
	if _, err := kg.NormalizeSources(b.Sources); err != nil {
		t.Error(err)
	}
	if _, err := kg.NormalizeEntities(b.Entities); err != nil {
		t.Error(err)
	}
	if _, err := kg.NormalizeRelations(b.Relations); err != nil {
		t.Error(err)
	}
	for i, o := range b.RelationOrigins {
		if o.File != dataFile || o.Line == 0 || o.Index != i || o.Fields["id"] != o.Line {
			t.Errorf("relation %d origin = %+v", i, o)
		}
	}
	for _, r := range b.Relations {
		if !slices.Contains(r.SourceIDs, article) {
			t.Errorf("%s does not cite the article", r.ID)
		}
		if r.Confidence == nil {
			t.Errorf("%s has no confidence", r.ID)
		}
		if !strings.HasPrefix(r.ID, "rel:") {
			t.Errorf("relation id %s does not start with rel:", r.ID)
		}
	}
	for _, e := range b.Entities {
		prefix := strings.ToLower(string(e.Kind)) + ":"
		if !strings.HasPrefix(e.ID, prefix) {
			t.Errorf("entity id %s does not start with %s", e.ID, prefix)
		}
	}
}

// Quotes must be the article's exact words. The article lives outside the repository.
func TestQuotesAreInTheArticle(t *testing.T) {
	text := sourceText(t, "shared/source/article.txt")
	b := builtin(t)
	n := 0
	for _, r := range b.Relations {
		if r.Quote == "" {
			continue
		}
		n++
		if !strings.Contains(string(text), r.Quote) {
			t.Errorf("%s: quote %q is not in the article", r.ID, r.Quote)
		}
		if len(r.Quote) > 200 {
			t.Errorf("%s: quote is %d bytes; keep quotes short", r.ID, len(r.Quote))
		}
	}
	if n < 15 {
		t.Errorf("only %d quotes", n)
	}
}

func TestBuiltinFacts(t *testing.T) {
	b := builtin(t)
	type want struct {
		id, typ, from, to, status, claimedBy, role string
		sources                                    []string
		quote                                      string
		disputes                                   []string
	}
	for _, w := range []want{
		{id: "rel:donald-trump-holds-office-us-president", typ: "HOLDS_OFFICE", from: "person:donald-trump", to: "country:united-states", status: "CONFIRMED", role: "President of the United States", sources: []string{article}},
		{id: "rel:volodymyr-zelenskyy-holds-office-ukraine-president", typ: "HOLDS_OFFICE", from: "person:volodymyr-zelenskyy", to: "country:ukraine", status: "CONFIRMED", role: "President of Ukraine", sources: []string{article}},
		{id: "rel:vladimir-putin-holds-office-russia-president", typ: "HOLDS_OFFICE", from: "person:vladimir-putin", to: "country:russia", status: "CONFIRMED", role: "President of Russia", sources: []string{article}},
		{id: "rel:marco-rubio-holds-office-us-secretary-of-state", typ: "HOLDS_OFFICE", from: "person:marco-rubio", to: "country:united-states", status: "CONFIRMED", role: "Secretary of State", sources: []string{article}},
		{id: "rel:michael-waltz-holds-office-us-national-security-adviser", typ: "HOLDS_OFFICE", from: "person:michael-waltz", to: "country:united-states", status: "CONFIRMED", role: "National Security Adviser", sources: []string{article}},
		{id: "rel:karoline-leavitt-holds-office-white-house-press-secretary", typ: "HOLDS_OFFICE", from: "person:karoline-leavitt", to: "country:united-states", status: "CONFIRMED", role: "White House Press Secretary", sources: []string{article}},
		{id: "rel:inna-sovsun-member-of-verkhovna-rada", typ: "MEMBER_OF", from: "person:inna-sovsun", to: "organization:verkhovna-rada", status: "CONFIRMED", role: "member of parliament", sources: []string{article}},
		{id: "rel:donald-trump-spoke-with-vladimir-putin-2025-03-18", typ: "SPOKE_WITH", from: "person:donald-trump", to: "person:vladimir-putin", status: "CONFIRMED", sources: []string{article}, quote: "nearly three-hour conversation"},
		{id: "rel:donald-trump-participated-in-2025-03-18-trump-putin-call", typ: "PARTICIPATED_IN", from: "person:donald-trump", to: "event:2025-03-18-trump-putin-call", status: "CONFIRMED", sources: []string{article}},
		{id: "rel:vladimir-putin-participated-in-2025-03-18-trump-putin-call", typ: "PARTICIPATED_IN", from: "person:vladimir-putin", to: "event:2025-03-18-trump-putin-call", status: "CONFIRMED", sources: []string{article}},
		{id: "rel:donald-trump-spoke-with-volodymyr-zelenskyy-2025-03-19", typ: "SPOKE_WITH", from: "person:donald-trump", to: "person:volodymyr-zelenskyy", status: "CONFIRMED", sources: []string{article, briefing}, quote: "fantastic phone conversation"},
		{id: "rel:donald-trump-stated-putin-agreed-energy-pause", typ: "STATED", from: "person:donald-trump", to: pause, status: "CONFIRMED", sources: []string{article, trump18}, quote: "Putin agreed to a 30-day ceasefire"},
		{id: "rel:donald-trump-stated-2025-03-18-trump-putin-call", typ: "STATED", from: "person:donald-trump", to: "event:2025-03-18-trump-putin-call", status: "CLAIMED", claimedBy: "organization:white-house", sources: []string{article, briefing}, quote: "Trump told Zelenskyy about"},
		{id: "rel:volodymyr-zelenskyy-stated-thanks-donald-trump", typ: "STATED", from: "person:volodymyr-zelenskyy", to: "person:donald-trump", status: "CLAIMED", claimedBy: "person:karoline-leavitt", sources: []string{article, briefing}, quote: "thanked the president"},
		{id: "rel:trump-zelenskyy-call-discussed-black-sea-ceasefire", typ: "DISCUSSED", from: "event:2025-03-19-trump-zelenskyy-call", to: "agreement:black-sea-ceasefire", status: "CONFIRMED", sources: []string{article}, quote: "Black Sea"},
		{id: "rel:trump-zelenskyy-call-discussed-full-ceasefire", typ: "DISCUSSED", from: "event:2025-03-19-trump-zelenskyy-call", to: "agreement:russia-ukraine-full-ceasefire", status: "CONFIRMED", sources: []string{article}, quote: "full ceasefire"},
		{id: "rel:donald-trump-stated-marco-rubio-would-release-account", typ: "STATED", from: "person:donald-trump", to: "person:marco-rubio", status: "CONFIRMED", sources: []string{article, truth}, quote: "would release an accurate description"},
		{id: "rel:donald-trump-stated-michael-waltz-would-release-account", typ: "STATED", from: "person:donald-trump", to: "person:michael-waltz", status: "CONFIRMED", sources: []string{article, truth}, quote: "would release an accurate description"},
		{id: "rel:karoline-leavitt-participated-in-2025-03-19-white-house-press-briefing", typ: "PARTICIPATED_IN", from: "person:karoline-leavitt", to: "event:2025-03-19-white-house-press-briefing", status: "CONFIRMED", sources: []string{article, briefing}, quote: "read Waltz and Rubio’s statement"},
		{id: "rel:russia-agreed-energy-pause", typ: "AGREED", from: "country:russia", to: pause, status: "CONFIRMED", sources: []string{article}},
		{id: "rel:vladimir-putin-agreed-energy-pause", typ: "AGREED", from: "person:vladimir-putin", to: pause, status: "CONFIRMED", sources: []string{article, trump18, sovsun}, quote: "Putin’s agreement to the partial ceasefire"},
		{id: "rel:donald-trump-proposed-energy-pause", typ: "PROPOSED", from: "person:donald-trump", to: pause, status: "CLAIMED", claimedBy: "person:inna-sovsun", role: "proposer", sources: []string{article, sovsun}, quote: "Trump’s 30-day pause"},
		{id: "rel:donald-trump-agreed-energy-pause", typ: "AGREED", from: "person:donald-trump", to: pause, status: "CLAIMED", claimedBy: "person:karoline-leavitt", sources: []string{article, briefing}, quote: "The leaders also agreed to a partial ceasefire against energy resources"},
		{id: "rel:volodymyr-zelenskyy-agreed-energy-pause", typ: "AGREED", from: "person:volodymyr-zelenskyy", to: pause, status: "CLAIMED", claimedBy: "person:karoline-leavitt", sources: []string{article, briefing}, quote: "The leaders also agreed to a partial ceasefire against energy resources"},
		{id: "rel:karoline-leavitt-stated-first-step-toward-end-of-war", typ: "STATED", from: "person:karoline-leavitt", to: pause, status: "CONFIRMED", sources: []string{article, briefing}, quote: "first step toward the full end of the war"},
		{id: "rel:russia-party-to-energy-pause", typ: "PARTY_TO", from: "country:russia", to: pause, status: "CONFIRMED", role: "party", sources: []string{article}},
		{id: "rel:ukraine-party-to-energy-pause", typ: "PARTY_TO", from: "country:ukraine", to: pause, status: "CLAIMED", claimedBy: "person:karoline-leavitt", role: "party", sources: []string{article, briefing}},
		{id: "rel:energy-pause-covers-ukraine-energy-infrastructure", typ: "COVERS", from: pause, to: "infrastructure:ukraine-energy-infrastructure", status: "CONFIRMED", sources: []string{article}},
		{id: "rel:energy-pause-covers-russia-energy-infrastructure", typ: "COVERS", from: pause, to: "infrastructure:russia-energy-infrastructure", status: "CLAIMED", claimedBy: "person:karoline-leavitt", sources: []string{article, briefing}},
		{id: "rel:donald-trump-agreed-defense-information-sharing", typ: "AGREED", from: "person:donald-trump", to: "agreement:us-ukraine-defense-information-sharing", status: "CLAIMED", claimedBy: "organization:white-house", sources: []string{article, briefing}, quote: "share information closely between their defense staffs"},
		{id: "rel:volodymyr-zelenskyy-requested-air-defense-systems", typ: "REQUESTED", from: "person:volodymyr-zelenskyy", to: "infrastructure:air-defense-systems-for-ukraine", status: "CLAIMED", claimedBy: "person:karoline-leavitt", sources: []string{article, briefing}, quote: "air defense systems to protect civilians"},
		{id: "rel:donald-trump-agreed-help-find-air-defense-systems", typ: "AGREED", from: "person:donald-trump", to: "infrastructure:air-defense-systems-for-ukraine", status: "CLAIMED", claimedBy: "person:karoline-leavitt", role: "help find what is available in Europe", sources: []string{article, briefing}, quote: "help him find what was available in Europe"},
		{id: "rel:technical-talks-located-in-saudi-arabia", typ: "LOCATED_IN", from: "event:2025-03-us-ukraine-technical-talks-saudi-arabia", to: "country:saudi-arabia", status: "CONFIRMED", sources: []string{article}},
		{id: "rel:technical-talks-discussed-black-sea-ceasefire", typ: "DISCUSSED", from: "event:2025-03-us-ukraine-technical-talks-saudi-arabia", to: "agreement:black-sea-ceasefire", status: "CONFIRMED", sources: []string{article}, quote: "to the Black Sea"},
		{id: "rel:technical-talks-discussed-full-ceasefire", typ: "DISCUSSED", from: "event:2025-03-us-ukraine-technical-talks-saudi-arabia", to: "agreement:russia-ukraine-full-ceasefire", status: "CONFIRMED", sources: []string{article}, quote: "full ceasefire"},
		{id: "rel:black-sea-ceasefire-covers-black-sea", typ: "COVERS", from: "agreement:black-sea-ceasefire", to: "location:black-sea", status: "CONFIRMED", sources: []string{article}},
		{id: "rel:sloviansk-energy-infrastructure-located-in-sloviansk", typ: "LOCATED_IN", from: "infrastructure:sloviansk-energy-infrastructure", to: "location:sloviansk", status: "CONFIRMED", sources: []string{article}},
		{id: "rel:sloviansk-located-in-ukraine", typ: "LOCATED_IN", from: "location:sloviansk", to: "country:ukraine", status: "CONFIRMED", sources: []string{article}},
		{id: "rel:russia-attacked-sloviansk-energy-infrastructure", typ: "ATTACKED", from: "country:russia", to: "infrastructure:sloviansk-energy-infrastructure", status: "ALLEGED", claimedBy: "person:inna-sovsun", sources: []string{article, sovsun}, quote: "leaving half the city without power"},
		{id: "rel:vladimir-putin-violated-energy-pause", typ: "VIOLATED", from: "person:vladimir-putin", to: pause, status: "ALLEGED", claimedBy: "person:inna-sovsun", sources: []string{article, sovsun}, quote: "broke his word in less than an hour"},
		{id: "rel:ukraine-attacked-russia-energy-infrastructure", typ: "ATTACKED", from: "country:ukraine", to: "infrastructure:russia-energy-infrastructure", status: "CLAIMED", claimedBy: "country:russia", sources: []string{article, bbc}},
		{id: "rel:united-states-mediated-with-russia", typ: "MEDIATED", from: "country:united-states", to: "country:russia", status: "CLAIMED", claimedBy: "organization:new-york-post", role: "go-between", sources: []string{article, nypost}},
		{id: "rel:united-states-mediated-with-ukraine", typ: "MEDIATED", from: "country:united-states", to: "country:ukraine", status: "CLAIMED", claimedBy: "organization:new-york-post", role: "go-between", sources: []string{article, nypost}},
		{id: "rel:karoline-leavitt-stated-moved-beyond-minerals-deal", typ: "STATED", from: "person:karoline-leavitt", to: "agreement:us-ukraine-minerals-deal", status: "CONFIRMED", sources: []string{article, briefing}, quote: "moved beyond"},
		{id: "rel:long-term-peace-agreement-supersedes-minerals-deal", typ: "SUPERSEDES", from: "agreement:russia-ukraine-long-term-peace-agreement", to: "agreement:us-ukraine-minerals-deal", status: "CLAIMED", claimedBy: "person:karoline-leavitt", sources: []string{article, briefing}, quote: "longterm peace agreement"},
		{id: "rel:us-involvement-ukraine-energy-supersedes-minerals-deal", typ: "SUPERSEDES", from: "agreement:us-involvement-ukraine-energy-infrastructure", to: "agreement:us-ukraine-minerals-deal", status: "CONFIRMED", sources: []string{article}, quote: "shifted focus from a minerals deal"},
		{id: "rel:trump-zelenskyy-oval-office-meeting-discussed-minerals-deal", typ: "DISCUSSED", from: "event:2025-02-28-trump-zelenskyy-oval-office-meeting", to: "agreement:us-ukraine-minerals-deal", status: "CLAIMED", claimedBy: "person:karoline-leavitt", sources: []string{article, briefing}, quote: "first set of framework"},
		{id: "rel:us-involvement-ukraine-energy-part-of-full-ceasefire", typ: "PART_OF", from: "agreement:us-involvement-ukraine-energy-infrastructure", to: "agreement:russia-ukraine-full-ceasefire", status: "ALLEGED", sources: []string{article}, quote: "likely includes U.S. involvement with Ukrainian nuclear energy"},
		{id: "rel:us-involvement-ukraine-energy-covers-ukraine-nuclear-energy", typ: "COVERS", from: "agreement:us-involvement-ukraine-energy-infrastructure", to: "infrastructure:ukraine-nuclear-energy", status: "ALLEGED", sources: []string{article}, quote: "Ukrainian nuclear energy"},
		{id: "rel:united-states-proposed-ownership-ukraine-power-plants", typ: "PROPOSED_OWNERSHIP", from: "country:united-states", to: "infrastructure:ukraine-power-plants", status: "CONFIRMED", sources: []string{article, statemnt, briefing}, quote: "American ownership of those plants would be the best protection for that infrastructure and support for Ukrainian energy infrastructure."},
		{id: "rel:united-states-proposed-running-ukraine-power-plants", typ: "PROPOSED", from: "country:united-states", to: "infrastructure:ukraine-power-plants", status: "CONFIRMED", sources: []string{article, statemnt}, quote: "electricity and utility expertise"},
		{id: "rel:donald-trump-stated-very-much-on-track", typ: "STATED", from: "person:donald-trump", to: "agreement:russia-ukraine-full-ceasefire", status: "CONFIRMED", sources: []string{article, trump19}, quote: "very much on track"},
		{id: "rel:donald-trump-stated-ceasefire-will-end-war", typ: "STATED", from: "person:donald-trump", to: pause, status: "CONFIRMED", sources: []string{article, trump19}, quote: "end of the war"},
	} {
		r := relation(t, b, w.id)
		got := fmt.Sprintf("%s %s->%s %s by=%q role=%q", r.Type, r.FromID, r.ToID, r.Status, r.ClaimedByID, r.Role)
		exp := fmt.Sprintf("%s %s->%s %s by=%q role=%q", w.typ, w.from, w.to, w.status, w.claimedBy, r.Role)
		if w.role != "" {
			exp = fmt.Sprintf("%s %s->%s %s by=%q role=%q", w.typ, w.from, w.to, w.status, w.claimedBy, w.role)
		}
		if got != exp {
			t.Errorf("%s:\n got  %s\n want %s", w.id, got, exp)
		}
		for _, s := range w.sources {
			if !slices.Contains(r.SourceIDs, s) {
				t.Errorf("%s: sources %v lack %s", w.id, r.SourceIDs, s)
			}
		}
		if !strings.Contains(r.Quote, w.quote) {
			t.Errorf("%s: quote %q lacks %q", w.id, r.Quote, w.quote)
		}
		if !slices.Equal(r.DisputesIDs, w.disputes) {
			t.Errorf("%s: disputes %v, want %v", w.id, r.DisputesIDs, w.disputes)
		}
		if r.Confidence == nil || *r.Confidence <= 0 || *r.Confidence > 1 {
			t.Errorf("%s: confidence %v", w.id, r.Confidence)
		}
	}

	// Times.
	checkTime(t, "Trump office", relation(t, b, "rel:donald-trump-holds-office-us-president").ValidFrom, day("2025-01-20"), kg.PrecisionDay, "")
	checkTime(t, "Zelenskyy office", relation(t, b, "rel:volodymyr-zelenskyy-holds-office-ukraine-president").ValidFrom, day("2019-05-20"), kg.PrecisionDay, "")
	checkTime(t, "Putin office", relation(t, b, "rel:vladimir-putin-holds-office-russia-president").ValidFrom, day("2012-05-07"), kg.PrecisionDay, "")
	checkTime(t, "Rubio office", relation(t, b, "rel:marco-rubio-holds-office-us-secretary-of-state").ValidFrom, day("2025-01-21"), kg.PrecisionDay, "")
	checkTime(t, "Waltz office", relation(t, b, "rel:michael-waltz-holds-office-us-national-security-adviser").ValidFrom, day("2025-01-20"), kg.PrecisionDay, "")
	checkTime(t, "Leavitt office", relation(t, b, "rel:karoline-leavitt-holds-office-white-house-press-secretary").ValidFrom, day("2025-01-20"), kg.PrecisionDay, "")
	checkTime(t, "Sovsun seat", relation(t, b, "rel:inna-sovsun-member-of-verkhovna-rada").ValidFrom, day("2019-08-29"), kg.PrecisionDay, "")
	checkTime(t, "Trump–Putin call", relation(t, b, "rel:donald-trump-spoke-with-vladimir-putin-2025-03-18").OccurredAt, day("2025-03-18"), kg.PrecisionDay, "")
	checkTime(t, "Trump–Zelenskyy call", relation(t, b, "rel:donald-trump-spoke-with-volodymyr-zelenskyy-2025-03-19").OccurredAt, day("2025-03-19"), kg.PrecisionDay, "")
	checkTime(t, "Russia agreed", relation(t, b, "rel:russia-agreed-energy-pause").OccurredAt, day("2025-03-18"), kg.PrecisionDay, "")
	checkTime(t, "Zelenskyy agreed", relation(t, b, "rel:volodymyr-zelenskyy-agreed-energy-pause").OccurredAt, day("2025-03-19"), kg.PrecisionDay, "")
	checkTime(t, "Sloviansk strike", relation(t, b, "rel:russia-attacked-sloviansk-energy-infrastructure").OccurredAt, day("2025-03-18"), kg.PrecisionDay, "less than an hour after the Trump–Putin call")
	checkTime(t, "Ukrainian strike", relation(t, b, "rel:ukraine-attacked-russia-energy-infrastructure").OccurredAt, day("2025-03-18"), kg.PrecisionDay, "")

	// Entities.
	p := entity(t, b, pause)
	if p.Kind != kg.KindAgreement || p.Category != "partial ceasefire" || p.AgreementStatus != kg.AgreementAgreed || p.Scope != "strikes on energy infrastructure" {
		t.Errorf("pause = %+v", p)
	}
	checkTime(t, "pause validFrom", p.ValidFrom, day("2025-03-18"), kg.PrecisionDay, "")
	checkTime(t, "pause validTo", p.ValidTo, day("2025-04-17"), kg.PrecisionDay, "30 days")
	if d := p.ValidTo.At.Sub(p.ValidFrom.At); d != 30*24*time.Hour {
		t.Errorf("pause lasts %v, want 30 days", d)
	}
	call := entity(t, b, "event:2025-03-18-trump-putin-call")
	// "nearly three-hour" is not a number: the field stays empty and the words are kept.
	if call.Kind != kg.KindEvent || call.Category != "phone call" || call.DurationMinutes != nil || !strings.Contains(call.Description, "nearly three-hour") {
		t.Errorf("Trump–Putin call = %+v", call)
	}
	checkTime(t, "call occurredAt", call.OccurredAt, day("2025-03-18"), kg.PrecisionDay, "")
	talks := entity(t, b, "event:2025-03-us-ukraine-technical-talks-saudi-arabia")
	checkTime(t, "talks", talks.OccurredAt, day("2025-03-01"), kg.PrecisionMonth, "next week")
	for id, want := range map[string]struct {
		kind     kg.EntityKind
		category string
		status   kg.AgreementStatus
	}{
		"infrastructure:ukraine-energy-infrastructure":           {kg.KindInfrastructure, "energy grid", ""},
		"infrastructure:russia-energy-infrastructure":            {kg.KindInfrastructure, "energy grid", ""},
		"infrastructure:sloviansk-energy-infrastructure":         {kg.KindInfrastructure, "energy grid", ""},
		"infrastructure:ukraine-power-plants":                    {kg.KindInfrastructure, "power plant", ""},
		"infrastructure:air-defense-systems-for-ukraine":         {kg.KindInfrastructure, "air defense systems", ""},
		"agreement:black-sea-ceasefire":                          {kg.KindAgreement, "maritime ceasefire", kg.AgreementProposed},
		"agreement:russia-ukraine-full-ceasefire":                {kg.KindAgreement, "ceasefire", kg.AgreementProposed},
		"agreement:us-ukraine-minerals-deal":                     {kg.KindAgreement, "minerals deal", kg.AgreementAbandoned},
		"agreement:us-involvement-ukraine-energy-infrastructure": {kg.KindAgreement, "energy infrastructure deal", kg.AgreementProposed},
		"agreement:russia-ukraine-long-term-peace-agreement":     {kg.KindAgreement, "peace agreement", ""},
		"infrastructure:ukraine-nuclear-energy":                  {kg.KindInfrastructure, "nuclear energy", ""},
		"event:2025-03-19-white-house-press-briefing":            {kg.KindEvent, "press briefing", ""},
		"event:2025-02-28-trump-zelenskyy-oval-office-meeting":   {kg.KindEvent, "meeting", ""},
		"agreement:us-ukraine-defense-information-sharing":       {kg.KindAgreement, "information sharing", kg.AgreementAgreed},
		"location:sloviansk":                                     {kg.KindLocation, "city", ""},
		"location:black-sea":                                     {kg.KindLocation, "sea", ""},
		"organization:verkhovna-rada":                            {kg.KindOrganization, "parliament", ""},
	} {
		e := entity(t, b, id)
		if e.Kind != want.kind || e.Category != want.category || e.AgreementStatus != want.status {
			t.Errorf("%s = %s %q %s, want %s %q %s", id, e.Kind, e.Category, e.AgreementStatus, want.kind, want.category, want.status)
		}
	}
	for id, code := range map[string]string{"country:united-states": "US", "country:russia": "RU", "country:ukraine": "UA", "country:saudi-arabia": "SA"} {
		if e := entity(t, b, id); e.Kind != kg.KindCountry || e.CountryCode != code {
			t.Errorf("%s = %s %s", id, e.Kind, e.CountryCode)
		}
	}

	// Sources.
	a := source(t, b, article)
	if a.Publisher != "" || a.URL != "" || a.Category != "article" {
		t.Errorf("article = %+v (publisher and url are not in the source file)", a)
	}
	checkTime(t, "article published", a.PublishedAt, day("2025-03-19"), kg.PrecisionDay, "")
	checkTime(t, "Sovsun post", source(t, b, sovsun).PublishedAt, day("2025-03-18"), kg.PrecisionDay, "")
	checkTime(t, "briefing", source(t, b, briefing).PublishedAt, day("2025-03-19"), kg.PrecisionDay, "")
	if s := source(t, b, bbc); s.Publisher != "BBC" {
		t.Errorf("BBC source = %+v", s)
	}
	if s := source(t, b, nypost); s.Publisher != "New York Post" {
		t.Errorf("NY Post source = %+v", s)
	}
	if s := source(t, b, statemnt); !strings.Contains(s.Author, "Waltz") || !strings.Contains(s.Author, "Rubio") {
		t.Errorf("statement = %+v", s)
	}
}

// parseAndValidate is what the seed CLI does with a file.
func parseAndValidate(name, data string) error {
	b, err := Parse(name, []byte(data))
	if err != nil {
		return err
	}
	return b.Validate()
}

const goodHead = `sources:
  - id: source:a
    title: A source
entities:
  - id: country:x
    kind: COUNTRY
    name: X
    sourceIds: [source:a]
  - id: country:y
    kind: COUNTRY
    name: Y
`

func TestBrokenFiles(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string // each must appear in the error
	}{
		{"unknown kind", goodHead + `  - id: planet:mars
    kind: PLANET
    name: Mars
`, []string{`broken.yaml:13: entities[2] (id planet:mars).kind: "PLANET" is not a valid kind`}},
		{"relation to a missing id", goodHead + `relations:
  - id: rel:x-attacked-z
    type: ATTACKED
    from: country:x
    to: country:z
    status: CONFIRMED
    sourceIds: [source:a]
`, []string{`broken.yaml:16: relations[0] (id rel:x-attacked-z).to: entity "country:z" is not defined in the seed`}},
		{"missing source", goodHead + `relations:
  - id: rel:x-attacked-y
    type: ATTACKED
    from: country:x
    to: country:y
    status: CONFIRMED
    sourceIds: [source:a, source:nowhere]
`, []string{`broken.yaml:18: relations[0] (id rel:x-attacked-y).sourceIds[1]: source "source:nowhere" is not defined in the seed`}},
		{"no source at all", goodHead + `relations:
  - id: rel:x-attacked-y
    type: ATTACKED
    from: country:x
    to: country:y
    status: CONFIRMED
`, []string{`broken.yaml:13: relations[0] (id rel:x-attacked-y).sourceIds: needs at least one source`}},
		{"bad date", goodHead + `relations:
  - id: rel:x-attacked-y
    type: ATTACKED
    from: country:x
    to: country:y
    status: CONFIRMED
    occurredAt: "2025-02-30"
    sourceIds: [source:a]
`, []string{`broken.yaml:18: relations[0] (id rel:x-attacked-y).occurredAt: "2025-02-30" is not a real date`}},
		{"precision finer than the date", goodHead + `relations:
  - id: rel:x-attacked-y
    type: ATTACKED
    from: country:x
    to: country:y
    status: CONFIRMED
    occurredAt: {at: "2025-03-18", precision: HOUR}
    sourceIds: [source:a]
`, []string{`broken.yaml:18: relations[0] (id rel:x-attacked-y).occurredAt: precision HOUR is finer than "2025-03-18" shows (DAY)`}},
		{"unknown field", goodHead + `relations:
  - id: rel:x-attacked-y
    type: ATTACKED
    from: country:x
    to: country:y
    status: CONFIRMED
    sources: [source:a]
`, []string{`broken.yaml:18: relations[0] (id rel:x-attacked-y): unknown field "sources"`}},
		{"unknown field in a time", goodHead + `relations:
  - id: rel:x-attacked-y
    type: ATTACKED
    from: country:x
    to: country:y
    status: CONFIRMED
    occurredAt: {at: "2025-03-18", precison: DAY}
    sourceIds: [source:a]
`, []string{`broken.yaml:18: relations[0] (id rel:x-attacked-y): unknown field "precison"`}},
		{"unknown top-level key", goodHead + `relation:
  - id: rel:x
`, []string{`broken.yaml:12: unknown field "relation"`}},
		{"unknown type and status, claim without claimant", goodHead + `relations:
  - id: rel:x-bombed-y
    type: BOMBED
    from: country:x
    to: country:y
    status: RUMOURED
    sourceIds: [source:a]
  - id: rel:x-attacked-y
    type: ATTACKED
    from: country:x
    to: country:y
    status: CLAIMED
    confidence: 1.5
    sourceIds: [source:a]
`, []string{
			`broken.yaml:14: relations[0] (id rel:x-bombed-y).type: "BOMBED" is not a valid relation type`,
			`broken.yaml:17: relations[0] (id rel:x-bombed-y).status: "RUMOURED" is not a valid claim status`,
			`broken.yaml:19: relations[1] (id rel:x-attacked-y).claimedBy: a CLAIMED relation must say who claims it`,
			`broken.yaml:24: relations[1] (id rel:x-attacked-y).confidence: 1.5 is outside 0..1`,
		}},
		{"claimant on a confirmed relation, none on a denial", goodHead + `relations:
  - id: rel:x-attacked-y
    type: ATTACKED
    from: country:x
    to: country:y
    status: CONFIRMED
    claimedBy: country:y
    sourceIds: [source:a]
  - id: rel:x-denied
    type: ATTACKED
    from: country:x
    to: country:y
    status: DENIED
    sourceIds: [source:a]
`, []string{
			`broken.yaml:18: relations[0] (id rel:x-attacked-y).claimedBy: a CONFIRMED relation is asserted by its sources themselves; a claimant makes it CLAIMED`,
			`broken.yaml:20: relations[1] (id rel:x-denied).claimedBy: a DENIED relation must say who claims it`,
		}},
		{"wrong kind of reference and dispute of nothing", goodHead + `relations:
  - id: rel:x-attacked-y
    type: ATTACKED
    from: source:a
    to: country:y
    status: DISPUTED
    claimedBy: country:y
    disputes: [rel:nothing]
    sourceIds: [source:a]
`, []string{
			`broken.yaml:15: relations[0] (id rel:x-attacked-y).from: "source:a" is a source (broken.yaml:2 (sources[0])), not an entity`,
			`broken.yaml:19: relations[0] (id rel:x-attacked-y).disputes[0]: relation "rel:nothing" is not defined in the seed`,
		}},
		{"field on the wrong kind", goodHead + `  - id: person:z
    kind: PERSON
    name: Z
    countryCode: ZZ
`, []string{`broken.yaml:15: entities[2] (id person:z).countryCode: applies only to COUNTRY entities, not PERSON`}},
		{"duplicate id in one file", goodHead + `  - id: country:x
    kind: COUNTRY
    name: X again
`, []string{`broken.yaml:12: entities[2] (id country:x).id: "country:x" is already defined at broken.yaml:5 (entities[0])`}},
		{"wrong type", goodHead + `relations:
  - id: rel:x-attacked-y
    type: ATTACKED
    from: country:x
    to: country:y
    status: CONFIRMED
    confidence: high
    sourceIds: [source:a]
`, []string{`broken.yaml:18: relations[0] (id rel:x-attacked-y).confidence: must be a number, not a string`}},
		{"fraction where an integer belongs", goodHead + `  - id: event:e
    kind: EVENT
    name: E
    durationMinutes: 12.5
`, []string{`broken.yaml:15: entities[2] (id event:e).durationMinutes: must be an integer, not a number`}},
		{"a list where a time belongs", goodHead + `  - id: event:e
    kind: EVENT
    name: E
    occurredAt: [2025]
`, []string{`broken.yaml:15: entities[2] (id event:e): a time is a string`}},
		{"syntax error", "sources:\n  - id: [unclosed\n", []string{"broken.yaml:2: "}},
		{"bad timezone", "timezone: Europe/Kyiv\n" + goodHead, []string{`broken.yaml:1: timezone: "Europe/Kyiv" is not a UTC offset`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := parseAndValidate("broken.yaml", tc.yaml)
			if err == nil {
				t.Fatal("no error")
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *seed.Error: %v", err, err)
			}
			if !errors.Is(err, kg.ErrInvalidInput) {
				t.Error("error does not match kg.ErrInvalidInput")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain\n  %s\nit is:\n%v", w, err)
				}
			}
			if len(se.Problems) != len(tc.want) {
				t.Errorf("%d problems, want %d:\n%v", len(se.Problems), len(tc.want), err)
			}
		})
	}
}

// An accusation names the accuser, but a source may report something as alleged or likely in
// its own voice, and then there is no one else to name.
func TestAllegedByTheSourceItself(t *testing.T) {
	err := parseAndValidate("ok.yaml", goodHead+`relations:
  - id: rel:x-attacked-y
    type: ATTACKED
    from: country:x
    to: country:y
    status: ALLEGED
    sourceIds: [source:a]
  - id: rel:y-attacked-x
    type: ATTACKED
    from: country:y
    to: country:x
    status: ALLEGED
    claimedBy: country:y
    sourceIds: [source:a]
`)
	if err != nil {
		t.Fatal(err)
	}
}

func TestDuplicateIDsAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.yaml")
	b := filepath.Join(dir, "b.yaml")
	if err := os.WriteFile(a, []byte(goodHead), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, []byte(`# another article
entities:
  - id: country:z
    kind: COUNTRY
    name: Z
  - id: country:y
    kind: COUNTRY
    name: Y, again
`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(t.Context(), nil, a, b)
	if err == nil {
		t.Fatal("no error for an id defined in two files")
	}
	want := fmt.Sprintf(`%s:6: entities[1] (id country:y).id: "country:y" is already defined at %s:9 (entities[1])`, b, a)
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error does not name both places:\n  want %s\n  got  %v", want, err)
	}

	// Files that refer to each other's ids merge fine.
	if err := os.WriteFile(b, []byte(`relations:
  - id: rel:x-attacked-y
    type: ATTACKED
    from: country:x
    to: country:y
    status: CONFIRMED
    sourceIds: [source:a]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := Load(t.Context(), nil, a, b)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if o := m.RelationOrigins[0]; o.File != b || o.Line != 2 || o.Index != 0 {
		t.Errorf("origin = %+v", o)
	}
}

func TestTimes(t *testing.T) {
	minus4 := time.FixedZone("", -4*3600)
	for _, tc := range []struct {
		at, precision, tz string
		want              time.Time
		wantP             kg.TimePrecision
		err               string
	}{
		{at: "2025", want: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), wantP: kg.PrecisionYear},
		{at: "2025-03", want: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), wantP: kg.PrecisionMonth},
		{at: "2025-03-18", want: time.Date(2025, 3, 18, 0, 0, 0, 0, time.UTC), wantP: kg.PrecisionDay},
		{at: "2025-03-18", tz: "-04:00", want: time.Date(2025, 3, 18, 0, 0, 0, 0, minus4), wantP: kg.PrecisionDay},
		{at: "2025-03-18T14:05Z", want: time.Date(2025, 3, 18, 14, 5, 0, 0, time.UTC), wantP: kg.PrecisionMinute},
		{at: "2025-03-18T10:05:07-04:00", tz: "+02:00", want: time.Date(2025, 3, 18, 10, 5, 7, 0, minus4), wantP: kg.PrecisionSecond},
		{at: "2025-03-18T14:00:00Z", precision: "hour", want: time.Date(2025, 3, 18, 14, 0, 0, 0, time.UTC), wantP: kg.PrecisionHour},
		{at: "2025-03-18T14:00:00Z", precision: "DAY", want: time.Date(2025, 3, 18, 14, 0, 0, 0, time.UTC), wantP: kg.PrecisionDay},
		{at: "2025-03", precision: "DAY", err: "finer than"},
		{at: "2025-03-18T14:00:00", err: "no UTC offset"},
		{at: "2025-13-01", err: "not a real date"},
		{at: "18 March 2025", err: "is not a date"},
		{at: "", err: "needs a date"},
		{at: "2025-03-18", precision: "WEEK", err: `precision "WEEK" is not one of`},
	} {
		loc, err := parseTimezone(tc.tz)
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseTime(tc.at, tc.precision, " a note ", loc)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q %q: error %v, want %q", tc.at, tc.precision, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q %q: %v", tc.at, tc.precision, err)
			continue
		}
		_, off := got.At.Zone()
		_, wantOff := tc.want.Zone()
		if !got.At.Equal(tc.want) || off != wantOff || got.Precision != tc.wantP || got.Note != "a note" {
			t.Errorf("%q %q tz %q = %v %s %q, want %v %s", tc.at, tc.precision, tc.tz, got.At, got.Precision, got.Note, tc.want, tc.wantP)
		}
	}
}

// YAML's looser spellings: unquoted dates, empty and null times, flow maps.
func TestParseForms(t *testing.T) {
	b, err := Parse("x.yaml", []byte(`entities:
  - id: agreement:a
    kind: AGREEMENT
    name: A
    validFrom: 2025-03-18
    validTo:
  - id: event:b
    kind: EVENT
    name: B
    occurredAt: {at: 2025-03-18T10:00:00Z, precision: HOUR, note: about ten}
    durationMinutes: 0x10
  - id: event:c
    kind: EVENT
    name: C
    occurredAt: 2025
    durationMinutes: null
`))
	if err != nil {
		t.Fatal(err)
	}
	a, e, c := b.Entities[0], b.Entities[1], b.Entities[2]
	checkTime(t, "a.validFrom", a.ValidFrom, day("2025-03-18"), kg.PrecisionDay, "")
	if a.ValidTo != nil {
		t.Errorf("empty validTo = %+v", a.ValidTo)
	}
	checkTime(t, "b.occurredAt", e.OccurredAt, time.Date(2025, 3, 18, 10, 0, 0, 0, time.UTC), kg.PrecisionHour, "about ten")
	if e.DurationMinutes == nil || *e.DurationMinutes != 16 {
		t.Errorf("b.durationMinutes = %v", e.DurationMinutes)
	}
	checkTime(t, "c.occurredAt", c.OccurredAt, day("2025-01-01"), kg.PrecisionYear, "")
	if c.DurationMinutes != nil {
		t.Errorf("null durationMinutes = %v", *c.DurationMinutes)
	}
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestEmptyFile(t *testing.T) {
	for _, s := range []string{"", "# only a comment\n", "sources: []\n"} {
		b, err := Parse("empty.yaml", []byte(s))
		if err != nil || b.Len() != 0 {
			t.Errorf("%q: %v, %d items", s, err, b.Len())
		}
	}
}

func TestRelationBatches(t *testing.T) {
	rels := []kg.RelationInput{
		{ID: "a", DisputesIDs: []string{"c"}}, // a after c
		{ID: "b"},
		{ID: "c"},
		{ID: "d", DisputesIDs: []string{"e"}}, // d and e dispute each other: one batch
		{ID: "e", DisputesIDs: []string{"d"}},
		{ID: "f", DisputesIDs: []string{"outside-the-bundle"}},
	}
	batches := relationBatches(rels, 2)
	var order []string
	for _, batch := range batches {
		if len(batch) > 2 {
			t.Errorf("batch of %d", len(batch))
		}
		for _, i := range batch {
			order = append(order, rels[i].ID)
		}
	}
	if got := strings.Join(order, " "); got != "c a b d e f" && got != "c a b e d f" {
		t.Errorf("order = %s", got)
	}
	together := false
	for _, batch := range batches {
		if len(batch) == 2 && (rels[batch[0]].ID == "d" || rels[batch[0]].ID == "e") {
			together = true
		}
	}
	if !together {
		t.Errorf("d and e are split across batches: %v", batches)
	}

	b := &Bundle{Relations: rels}
	var ids []string
	for _, batch := range b.RelationBatches(2) {
		for _, r := range batch {
			ids = append(ids, r.ID)
		}
	}
	if got := strings.Join(ids, " "); got != strings.Join(order, " ") {
		t.Errorf("RelationBatches order = %s, want %s", got, strings.Join(order, " "))
	}
}

// --- Apply ------------------------------------------------------------------------------------

func TestApplyIsIdempotent(t *testing.T) {
	ctx := context.Background()
	b := builtin(t)
	s := newFakeStore()

	var calls []string
	progress := func(stage string, done, total int) {
		calls = append(calls, fmt.Sprintf("%s %d/%d", stage, done, total))
	}
	first, err := Apply(ctx, s, b, 7, progress)
	if err != nil {
		t.Fatal(err)
	}
	want := Result{
		Sources:   kg.WriteCounts{Created: len(b.Sources)},
		Entities:  kg.WriteCounts{Created: len(b.Entities)},
		Relations: kg.WriteCounts{Created: len(b.Relations)},
	}
	if first != want {
		t.Errorf("first run: %v, want %v", first, want)
	}
	if calls[0] != fmt.Sprintf("sources 7/%d", len(b.Sources)) || calls[len(calls)-1] != fmt.Sprintf("relations %d/%d", len(b.Relations), len(b.Relations)) {
		t.Errorf("progress calls: %v", calls)
	}
	second, err := Apply(ctx, s, b, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	want = Result{
		Sources:   kg.WriteCounts{Unchanged: len(b.Sources)},
		Entities:  kg.WriteCounts{Unchanged: len(b.Entities)},
		Relations: kg.WriteCounts{Unchanged: len(b.Relations)},
	}
	if second != want {
		t.Errorf("second run: %v, want %v", second, want)
	}
	if second.Total().Unchanged != b.Len() {
		t.Errorf("total %v", second.Total())
	}
}

// The built-in seed loads into the real embedded store, and loading it again changes nothing.
func TestApplyEmbedded(t *testing.T) {
	ctx := context.Background()
	b := builtin(t)
	s, err := embedded.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)

	first, err := Apply(ctx, s, b, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Result{
		Sources:   kg.WriteCounts{Created: len(b.Sources)},
		Entities:  kg.WriteCounts{Created: len(b.Entities)},
		Relations: kg.WriteCounts{Created: len(b.Relations)},
	}); first != want {
		t.Errorf("first run: %v, want %v", first, want)
	}
	before, err := kg.GetRelation(ctx, s, "rel:russia-attacked-sloviansk-energy-infrastructure")
	if err != nil {
		t.Fatal(err)
	}

	second, err := Apply(ctx, s, b, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Result{
		Sources:   kg.WriteCounts{Unchanged: len(b.Sources)},
		Entities:  kg.WriteCounts{Unchanged: len(b.Entities)},
		Relations: kg.WriteCounts{Unchanged: len(b.Relations)},
	}); second != want {
		t.Errorf("second run: %v, want %v", second, want)
	}
	if first.Total().Created != second.Total().Unchanged {
		t.Errorf("created %d, then %d unchanged", first.Total().Created, second.Total().Unchanged)
	}

	st, err := s.Stats(ctx, kg.StatsQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Sources != len(b.Sources) || st.Entities != len(b.Entities) || st.Relations != len(b.Relations) {
		t.Errorf("stats %+v, bundle %d/%d/%d", st, len(b.Sources), len(b.Entities), len(b.Relations))
	}
	after, err := kg.GetRelation(ctx, s, before.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("updatedAt moved on an unchanged write: %v -> %v", before.UpdatedAt, after.UpdatedAt)
	}
	if after.Status != kg.StatusAlleged || after.ClaimedByID != "person:inna-sovsun" || len(after.DisputesIDs) != 0 ||
		after.OccurredAt == nil || after.OccurredAt.Precision != kg.PrecisionDay ||
		!strings.Contains(after.OccurredAt.Note, "less than an hour") {
		t.Errorf("stored relation = %+v", after)
	}
	e, err := kg.GetEntity(ctx, s, pause)
	if err != nil {
		t.Fatal(err)
	}
	if e.AgreementStatus != kg.AgreementAgreed || e.ValidTo == nil || !e.ValidTo.At.Equal(day("2025-04-17")) {
		t.Errorf("stored agreement = %+v", e)
	}
}

func TestApplyRejectsInvalidBundle(t *testing.T) {
	b, err := Parse("broken.yaml", []byte(goodHead+`relations:
  - id: rel:x-attacked-z
    type: ATTACKED
    from: country:x
    to: country:z
    status: CONFIRMED
    sourceIds: [source:a]
`))
	if err != nil {
		t.Fatal(err)
	}
	s := newFakeStore()
	if _, err := Apply(context.Background(), s, b, 0, nil); err == nil || !strings.Contains(err.Error(), "broken.yaml:16") {
		t.Fatalf("Apply: %v", err)
	}
	if len(s.sources) != 0 {
		t.Error("Apply wrote before validating")
	}
}

func TestApplyLocatesStoreErrors(t *testing.T) {
	b, err := Parse("f.yaml", []byte(goodHead))
	if err != nil {
		t.Fatal(err)
	}
	s := newFakeStore()
	s.rejectEntity = "country:y"
	_, err = Apply(context.Background(), s, b, 1, nil)
	if err == nil || !strings.Contains(err.Error(), "f.yaml:11: entities[1] (id country:y).name: rejected by the store") {
		t.Fatalf("Apply: %v", err)
	}
	if !errors.Is(err, kg.ErrInvalidInput) {
		t.Error("not an invalid-input error")
	}
}

// fakeStore is just enough of a kg.Store for Apply: upserts that normalise, check references
// like the real stores (a relation may dispute one in the same batch) and count.
type fakeStore struct {
	kg.Store // nil: other methods panic
	sources  map[string]*kg.Source
	entities map[string]*kg.Entity
	rels     map[string]*kg.Relation

	rejectEntity string
}

func newFakeStore() *fakeStore {
	return &fakeStore{sources: map[string]*kg.Source{}, entities: map[string]*kg.Entity{}, rels: map[string]*kg.Relation{}}
}

func count(c *kg.WriteCounts, exists, same bool) {
	switch {
	case !exists:
		c.Created++
	case same:
		c.Unchanged++
	default:
		c.Updated++
	}
}

func (s *fakeStore) UpsertSources(_ context.Context, in []kg.SourceInput) ([]*kg.Source, kg.WriteCounts, error) {
	var c kg.WriteCounts
	norm, err := kg.NormalizeSources(in)
	if err != nil {
		return nil, c, err
	}
	for _, n := range norm {
		old := s.sources[n.ID]
		count(&c, old != nil, old != nil && old.Same(n))
		s.sources[n.ID] = n.Source(time.Time{}, time.Time{})
	}
	return nil, c, nil
}

func (s *fakeStore) UpsertEntities(_ context.Context, in []kg.EntityInput) ([]*kg.Entity, kg.WriteCounts, error) {
	var c kg.WriteCounts
	norm, err := kg.NormalizeEntities(in)
	if err != nil {
		return nil, c, err
	}
	for i, n := range norm {
		if n.ID == s.rejectEntity {
			return nil, c, kg.Invalid(fmt.Sprintf("input[%d].name", i), "rejected by the store")
		}
		for _, id := range n.SourceIDs {
			if s.sources[id] == nil {
				return nil, c, kg.Invalid(fmt.Sprintf("input[%d].sourceIds", i), "no source %s", id)
			}
		}
	}
	for _, n := range norm {
		old := s.entities[n.ID]
		count(&c, old != nil, old != nil && old.Same(n))
		s.entities[n.ID] = n.Entity(time.Time{}, time.Time{})
	}
	return nil, c, nil
}

func (s *fakeStore) UpsertRelations(_ context.Context, in []kg.RelationInput) ([]*kg.Relation, kg.WriteCounts, error) {
	var c kg.WriteCounts
	norm, err := kg.NormalizeRelations(in)
	if err != nil {
		return nil, c, err
	}
	inBatch := map[string]bool{}
	for _, n := range norm {
		inBatch[n.ID] = true
	}
	for i, n := range norm {
		for _, id := range []string{n.FromID, n.ToID, n.ClaimedByID} {
			if id != "" && s.entities[id] == nil {
				return nil, c, kg.Invalid(fmt.Sprintf("input[%d]", i), "no entity %s", id)
			}
		}
		for _, id := range n.SourceIDs {
			if s.sources[id] == nil {
				return nil, c, kg.Invalid(fmt.Sprintf("input[%d].sourceIds", i), "no source %s", id)
			}
		}
		for _, id := range n.DisputesIDs {
			if s.rels[id] == nil && !inBatch[id] {
				return nil, c, kg.Invalid(fmt.Sprintf("input[%d].disputes", i), "no relation %s", id)
			}
		}
	}
	for _, n := range norm {
		old := s.rels[n.ID]
		count(&c, old != nil, old != nil && old.Same(n))
		s.rels[n.ID] = n.Relation(time.Time{}, time.Time{})
	}
	return nil, c, nil
}

// writeFiles writes name → content into a temporary directory and returns the paths in order.
func writeFiles(t *testing.T, files ...[2]string) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for _, f := range files {
		p := filepath.Join(dir, f[0])
		if err := os.WriteFile(p, []byte(f[1]), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// TestOnePassAcrossFiles: every problem of every file comes back from one Load — entries
// that cannot be read, invalid values (with the valid ones), misread flow values, duplicate
// ids and broken references — so fixing them never uncovers a second round.
func TestOnePassAcrossFiles(t *testing.T) {
	paths := writeFiles(t, [2]string{"a.yaml", `sources:
  - id: source:a
    title: A
    publsher: typo
entities:
  - id: person:a
    kind: PERSN
    name: A
  - {id: person:b, kind: PERSON, name: B description: bee}
`}, [2]string{"b.yaml", `entities:
  - id: person:a
    kind: PERSON
    name: A again
relations:
  - id: rel:x
    type: ATACKED
    from: person:a
    to: person:nobody
    status: RUMOURED
    claimedBy: person:a
    sourceIds: [source:a, source:missing]
  - {id:rel:y, type: STATED, from: person:a, to: person:a, status: CONFIRMED, sourceIds: [source:a]}
`})
	_, err := Load(t.Context(), nil, paths...)
	if err == nil {
		t.Fatal("no error")
	}
	a, b := paths[0], paths[1]
	for _, want := range []string{
		a + `:4: sources[0] (id source:a): unknown field "publsher"`,
		a + `:7: entities[0] (id person:a).kind: "PERSN" is not a valid kind (one of PERSON, COUNTRY, ORGANIZATION, AGREEMENT, INFRASTRUCTURE, LOCATION, EVENT)`,
		a + `:9: "B description: bee" holds ": " inside {...} or [...]: a comma is missing, or quote the value`,
		b + `:2: entities[0] (id person:a).id: "person:a" is already defined at ` + a + `:6 (entities[0])`,
		b + `:7: relations[0] (id rel:x).type: "ATACKED" is not a valid relation type (one of AGREED, ATTACKED,`,
		b + `:9: relations[0] (id rel:x).to: entity "person:nobody" is not defined in the seed`,
		b + `:10: relations[0] (id rel:x).status: "RUMOURED" is not a valid claim status (one of CONFIRMED, CLAIMED, ALLEGED, DISPUTED, DENIED)`,
		b + `:12: relations[0] (id rel:x).sourceIds[1]: source "source:missing" is not defined in the seed`,
		b + `:13: "id:rel:y" inside {...} or [...] is ambiguous (one string, or the key "id" with the value "rel:y"): quote it, or put a space after ':'`,
		b + `:13: "source:a" inside {...} or [...] is ambiguous (one string, or the key "source" with the value "a")`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks\n  %s\ngot\n%v", want, err)
		}
	}
	// The unreadable source is not reported again where it is referenced.
	if strings.Contains(err.Error(), `source "source:a" is not defined`) {
		t.Errorf("a reference to an unreadable entry is reported as undefined:\n%v", err)
	}
}

// TestFlowStyle: flow collections that every YAML reader reads alike are fine.
func TestFlowStyle(t *testing.T) {
	b, err := Parse("ok.yaml", []byte(`relations:
  - {id: rel:x, type: STATED, from: person:a, to: "person:b", quote: "she said: no", sourceIds: ['source:a', "source:b"]}
  - id: rel:y
    sourceIds: [source:a, source:b]
`))
	if err != nil {
		t.Fatal(err)
	}
	r := b.Relations[0]
	if r.ID != "rel:x" || r.FromID != "person:a" || r.ToID != "person:b" || r.Quote != "she said: no" ||
		!slices.Equal(r.SourceIDs, []string{"source:a", "source:b"}) || !slices.Equal(b.Relations[1].SourceIDs, r.SourceIDs) {
		t.Errorf("read %+v", b.Relations)
	}
}

// TestLookupOnServer: ids no file defines are looked up in one call, and are fine when the
// server holds them in the right section.
func TestLookupOnServer(t *testing.T) {
	paths := writeFiles(t, [2]string{"addon.yaml", `entities:
  - id: person:new
    kind: PERSON
    name: New
    sourceIds: [source:on-server]
relations:
  - id: rel:new
    type: STATED
    from: person:new
    to: country:on-server
    status: CLAIMED
    claimedBy: rel:on-server
    sourceIds: [source:on-server, source:nowhere]
    disputes: [rel:on-server]
`})
	server := map[string]string{"source:on-server": "sources", "country:on-server": "entities", "rel:on-server": "relations"}
	var calls [][]string
	lookup := func(_ context.Context, ids []string) (map[string]string, error) {
		calls = append(calls, slices.Clone(ids))
		out := map[string]string{}
		for _, id := range ids {
			if s, ok := server[id]; ok {
				out[id] = s
			}
		}
		return out, nil
	}
	_, err := Load(t.Context(), lookup, paths...)
	want := []string{"source:on-server", "country:on-server", "rel:on-server", "source:nowhere"}
	if len(calls) != 1 || !slices.Equal(calls[0], want) {
		t.Errorf("lookup calls = %q, want one call with %q", calls, want)
	}
	p := paths[0]
	for _, w := range []string{
		p + `:12: relations[0] (id rel:new).claimedBy: "rel:on-server" is a relation on the server, not an entity`,
		p + `:13: relations[0] (id rel:new).sourceIds[1]: source "source:nowhere" is defined neither in the files nor on the server`,
	} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks\n  %s\ngot\n%v", w, err)
		}
	}
	if n := strings.Count(err.Error(), "\n  "); n != 2 {
		t.Errorf("%d problems, want 2:\n%v", n, err)
	}

	// A server that cannot be asked is a problem of its own, beside the files' problems.
	_, err = Load(t.Context(), func(context.Context, []string) (map[string]string, error) {
		return nil, errors.New("connection refused")
	}, paths...)
	if err == nil || !strings.Contains(err.Error(), "could not look up the 4 referenced ids that no file defines on the server: connection refused") {
		t.Errorf("unreachable lookup: %v", err)
	}
}

// TestLookupInBatches: more ids outside the bundle than one request carries are looked up in
// batches of lookupBatch, each id once.
func TestLookupInBatches(t *testing.T) {
	b := &Bundle{Sources: []kg.SourceInput{{ID: "source:a", Title: "A"}}}
	for i := range lookupBatch + 1 {
		b.Relations = append(b.Relations, kg.RelationInput{ID: fmt.Sprintf("rel:%d", i), Type: kg.RelStated,
			FromID: fmt.Sprintf("person:%d", i), ToID: "person:0", Status: kg.StatusConfirmed, SourceIDs: []string{"source:a"}})
	}
	var sizes []int
	err := b.ValidateAgainst(t.Context(), func(_ context.Context, ids []string) (map[string]string, error) {
		sizes = append(sizes, len(ids))
		out := map[string]string{}
		for _, id := range ids {
			out[id] = "entities"
		}
		return out, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sizes, []int{lookupBatch, 1}) {
		t.Errorf("lookup batch sizes = %v, want [%d 1]", sizes, lookupBatch)
	}
}
