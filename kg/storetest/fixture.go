package storetest

import (
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
)

// The fixture is a small slice of the March 2025 energy-ceasefire story: three sources, fourteen
// entities of every kind, twelve relations. Its times are given in the offsets the sources use
// (Washington -04:00, Kyiv +02:00, Moscow +03:00) with various precisions, and chosen so that
// sorting by the local clock reading would give a different order from sorting by instant.

// Source ids.
const (
	srcBBC        = "src:bbc-2025-03-18"
	srcKremlin    = "src:kremlin-readout-2025-03-18"
	srcWhiteHouse = "src:whitehouse-2025-03-18"
)

// Entity ids.
const (
	idUkraine       = "country:ukraine"
	idRussia        = "country:russia"
	idUS            = "country:united-states"
	idZelenskyy     = "person:volodymyr-zelenskyy"
	idPutin         = "person:vladimir-putin"
	idTrump         = "person:donald-trump"
	idCeasefire     = "agreement:energy-ceasefire-2025"
	idGrid          = "infrastructure:ukraine-energy-grid"
	idSudzha        = "infrastructure:sudzha-gas-station"
	idKurskCity     = "location:kursk-city"
	idKurskRegion   = "location:kursk-region"
	idCallPutin     = "event:trump-putin-call-2025-03-18"
	idCallZelenskyy = "event:trump-zelenskyy-call-2025-03-19"
	idBBCNews       = "organization:bbc-news"

	idMissing = "person:nobody"
)

// Relation ids.
const (
	rHoldsOffice   = "rel:zelenskyy-holds-office"
	rRussiaParty   = "rel:russia-party-to"
	rPutinAgreed   = "rel:putin-agreed-pause"
	rCallPutin     = "rel:call-trump-putin"
	rUkraineParty  = "rel:ukraine-party-to"
	rTrumpStated   = "rel:trump-stated"
	rCallZelenskyy = "rel:call-trump-zelenskyy"
	rAttackClaim   = "rel:sudzha-attack-claim"
	rAttackDenial  = "rel:sudzha-attack-denial"
	rCovers        = "rel:agreement-covers-grid"
	rLocatedIn     = "rel:sudzha-located-in"
	rMediated      = "rel:us-mediated"

	rMissing = "rel:nothing"
)

// Zones as fixed offsets: the stores keep the offset, not the zone name.
var (
	zWashington = time.FixedZone("EDT", -4*3600)
	zKyiv       = time.FixedZone("EET", 2*3600)
	zKyivSummer = time.FixedZone("EEST", 3*3600)
	zMoscow     = time.FixedZone("MSK", 3*3600)
	// Kyiv local mean time until 1924: an offset with seconds.
	zKyivLMT = time.FixedZone("KMT", 2*3600+2*60+4)
)

func at(y int, mo time.Month, d, h, mi int, z *time.Location) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, z)
}

func tm(at time.Time, p kg.TimePrecision, note string) *kg.Time {
	return &kg.Time{At: at, Precision: p, Note: note}
}

func ptr[T any](v T) *T { return &v }

func fixtureSources() []kg.SourceInput {
	return []kg.SourceInput{
		{
			ID:          srcBBC,
			Title:       "Putin agrees to halt attacks on Ukraine’s energy infrastructure",
			URL:         "https://www.bbc.com/news/articles/c4g7xj0jdl1o",
			Publisher:   "BBC News",
			Author:      "Paul Kirby",
			PublishedAt: tm(at(2025, 3, 18, 21, 40, zKyiv), kg.PrecisionMinute, ""),
			Category:    "article",
		},
		{
			ID:          srcKremlin,
			Title:       "Telephone conversation with US President Donald Trump",
			URL:         "http://en.kremlin.ru/events/president/news/76480",
			Publisher:   "President of Russia",
			PublishedAt: tm(at(2025, 3, 18, 19, 10, zMoscow), kg.PrecisionMinute, "readout after the call"),
			Category:    "statement",
		},
		{
			ID:          srcWhiteHouse,
			Title:       "Readout of President Trump’s call with President Putin",
			URL:         "https://www.whitehouse.gov/briefings-statements/2025/03/readout/",
			Publisher:   "The White House",
			Author:      "Karoline Leavitt",
			PublishedAt: tm(at(2025, 3, 18, 0, 0, zWashington), kg.PrecisionDay, ""),
			Category:    "statement",
		},
	}
}

func fixtureEntities() []kg.EntityInput {
	return []kg.EntityInput{
		{ID: idUkraine, Kind: kg.KindCountry, Name: "Ukraine", Aliases: []string{"Україна"},
			CountryCode: "UA", SourceIDs: []string{srcBBC}},
		{ID: idRussia, Kind: kg.KindCountry, Name: "Russia", Aliases: []string{"Russian Federation", "Россия"},
			CountryCode: "RU", SourceIDs: []string{srcKremlin, srcBBC}},
		{ID: idUS, Kind: kg.KindCountry, Name: "United States",
			Aliases:     []string{"United States of America", "USA", "America"},
			CountryCode: "US", SourceIDs: []string{srcWhiteHouse}},
		{ID: idZelenskyy, Kind: kg.KindPerson, Name: "Volodymyr Zelenskyy", Aliases: []string{"Zelensky", "Зеленський"},
			Description: "President of Ukraine since 2019", SourceIDs: []string{srcBBC}},
		{ID: idPutin, Kind: kg.KindPerson, Name: "Vladimir Putin", Aliases: []string{"Vladimir Vladimirovich Putin", "Путин"},
			Description: "President of Russia", SourceIDs: []string{srcKremlin}},
		{ID: idTrump, Kind: kg.KindPerson, Name: "Donald Trump", Aliases: []string{"President Trump"},
			Description: "President of the United States", SourceIDs: []string{srcWhiteHouse}},
		{ID: idCeasefire, Kind: kg.KindAgreement, Name: "Energy infrastructure ceasefire",
			Aliases:         []string{"30-day energy pause", "partial ceasefire"},
			Description:     "Russia’s pledge to stop strikes on Ukrainian energy facilities for 30 days",
			SourceIDs:       []string{srcKremlin, srcWhiteHouse, srcBBC},
			Category:        "partial ceasefire",
			AgreementStatus: kg.AgreementAgreed,
			Scope:           "Attacks on energy infrastructure",
			ValidFrom:       tm(at(2025, 3, 18, 0, 0, zMoscow), kg.PrecisionDay, ""),
			ValidTo:         tm(at(2025, 4, 17, 0, 0, zMoscow), kg.PrecisionDay, "30 days after the call"),
		},
		{ID: idGrid, Kind: kg.KindInfrastructure, Name: "ukrainian energy grid", Category: "energy grid",
			SourceIDs: []string{srcBBC}},
		{ID: idSudzha, Kind: kg.KindInfrastructure, Name: "Sudzha gas metering station",
			Category: "gas metering station", SourceIDs: []string{srcKremlin}},
		{ID: idKurskCity, Kind: kg.KindLocation, Name: "Kursk", Category: "city"},
		// Same name as the city up to case: ties after folding break on id.
		{ID: idKurskRegion, Kind: kg.KindLocation, Name: "KURSK", Category: "region"},
		{ID: idCallPutin, Kind: kg.KindEvent, Name: "Trump–Putin phone call", Category: "phone call",
			SourceIDs:       []string{srcWhiteHouse, srcKremlin},
			OccurredAt:      tm(at(2025, 3, 18, 10, 0, zWashington), kg.PrecisionHour, "about 10 a.m. Washington time"),
			DurationMinutes: ptr(150)},
		{ID: idCallZelenskyy, Kind: kg.KindEvent, Name: "Trump–Zelenskyy phone call", Category: "Phone call",
			SourceIDs:       []string{srcWhiteHouse},
			OccurredAt:      tm(at(2025, 3, 19, 0, 0, zKyiv), kg.PrecisionDay, ""),
			DurationMinutes: ptr(60)},
		{ID: idBBCNews, Kind: kg.KindOrganization, Name: "BBC News", Category: "news outlet"},
	}
}

// fixtureRelations is the first relation batch; fixtureDisputes the second, whose relations
// dispute ones of the first.
func fixtureRelations() []kg.RelationInput {
	return []kg.RelationInput{
		{ID: rHoldsOffice, Type: kg.RelHoldsOffice, FromID: idZelenskyy, ToID: idUkraine,
			Status: kg.StatusConfirmed, SourceIDs: []string{srcBBC}, Role: "President",
			ValidFrom: tm(at(2019, 5, 20, 0, 0, zKyivSummer), kg.PrecisionDay, "")},
		{ID: rRussiaParty, Type: kg.RelPartyTo, FromID: idRussia, ToID: idCeasefire,
			Status: kg.StatusConfirmed, SourceIDs: []string{srcKremlin},
			OccurredAt: tm(at(2025, 3, 18, 0, 0, zMoscow), kg.PrecisionDay, "")},
		{ID: rPutinAgreed, Type: kg.RelAgreed, FromID: idPutin, ToID: idCeasefire,
			Status: kg.StatusClaimed, ClaimedByID: idRussia,
			SourceIDs:   []string{srcKremlin, srcBBC},
			Quote:       "Putin “responded positively” to the idea of a 30-day pause on strikes against energy infrastructure",
			Confidence:  ptr(0.85),
			Role:        "party",
			Description: "Putin agreed to a mutual halt of strikes on energy infrastructure",
			OccurredAt:  tm(at(2025, 3, 18, 16, 30, zMoscow), kg.PrecisionMinute, "during the call"),
			ValidFrom:   tm(at(2025, 3, 18, 0, 0, zMoscow), kg.PrecisionDay, ""),
			ValidTo:     tm(at(2025, 4, 17, 0, 0, zMoscow), kg.PrecisionDay, "30 days"),
		},
		{ID: rCallPutin, Type: kg.RelSpokeWith, FromID: idTrump, ToID: idPutin,
			Status: kg.StatusConfirmed, SourceIDs: []string{srcWhiteHouse, srcKremlin, srcBBC},
			Confidence: ptr(0.95),
			OccurredAt: tm(at(2025, 3, 18, 10, 0, zWashington), kg.PrecisionHour, "lasted more than two hours")},
		{ID: rUkraineParty, Type: kg.RelPartyTo, FromID: idUkraine, ToID: idCeasefire,
			Status: kg.StatusClaimed, ClaimedByID: idZelenskyy, SourceIDs: []string{srcBBC},
			Confidence: ptr(0.7),
			OccurredAt: tm(at(2025, 3, 18, 23, 0, zKyiv), kg.PrecisionMinute, "")},
		{ID: rTrumpStated, Type: kg.RelStated, FromID: idTrump, ToID: idCeasefire,
			Status: kg.StatusConfirmed, SourceIDs: []string{srcWhiteHouse},
			OccurredAt: tm(at(2025, 3, 18, 18, 0, zWashington), kg.PrecisionMinute, "")},
		// Same instant as rTrumpStated, in another offset: the tie breaks on id.
		{ID: rCallZelenskyy, Type: kg.RelSpokeWith, FromID: idTrump, ToID: idZelenskyy,
			Status: kg.StatusConfirmed, SourceIDs: []string{srcWhiteHouse},
			OccurredAt: tm(at(2025, 3, 19, 0, 0, zKyiv), kg.PrecisionDay, "")},
		{ID: rAttackClaim, Type: kg.RelAttacked, FromID: idUkraine, ToID: idSudzha,
			Status: kg.StatusAlleged, ClaimedByID: idRussia, SourceIDs: []string{srcKremlin},
			Confidence: ptr(0.4),
			OccurredAt: tm(at(2025, 3, 21, 0, 0, zMoscow), kg.PrecisionDay, "")},
		{ID: rCovers, Type: kg.RelCovers, FromID: idCeasefire, ToID: idGrid,
			Status: kg.StatusConfirmed, SourceIDs: []string{srcBBC}, Confidence: ptr(0.9)},
		{ID: rLocatedIn, Type: kg.RelLocatedIn, FromID: idSudzha, ToID: idKurskRegion,
			Status: kg.StatusConfirmed, SourceIDs: []string{srcBBC}},
		{ID: rMediated, Type: kg.RelMediated, FromID: idUS, ToID: idCeasefire,
			Status: kg.StatusConfirmed, SourceIDs: []string{srcWhiteHouse}},
	}
}

func fixtureDisputes() []kg.RelationInput {
	return []kg.RelationInput{
		{ID: rAttackDenial, Type: kg.RelAttacked, FromID: idUkraine, ToID: idSudzha,
			Status: kg.StatusDenied, ClaimedByID: idUkraine, SourceIDs: []string{srcBBC},
			Quote:       "Ukraine’s General Staff called the claim “fake”",
			Confidence:  ptr(0.6),
			OccurredAt:  tm(at(2025, 3, 21, 0, 0, zMoscow), kg.PrecisionDay, ""),
			DisputesIDs: []string{rAttackClaim}},
	}
}

func allFixtureRelations() []kg.RelationInput {
	return append(fixtureRelations(), fixtureDisputes()...)
}

// Expected orders of the whole fixture.
var (
	entitiesByName = []string{
		idBBCNews,       // bbc news
		idTrump,         // donald trump
		idCeasefire,     // energy infrastructure ceasefire
		idKurskCity,     // kursk (tie: id)
		idKurskRegion,   // KURSK
		idRussia,        // russia
		idSudzha,        // sudzha gas metering station
		idCallPutin,     // trump–putin phone call
		idCallZelenskyy, // trump–zelenskyy phone call
		idUkraine,       // ukraine
		idGrid,          // ukrainian energy grid (lower case: sorts among the u's)
		idUS,            // united states
		idPutin,         // vladimir putin
		idZelenskyy,     // volodymyr zelenskyy
	}
	entitiesByID = []string{
		idCeasefire, idRussia, idUkraine, idUS, idCallPutin, idCallZelenskyy, idSudzha, idGrid,
		idKurskCity, idKurskRegion, idBBCNews, idTrump, idPutin, idZelenskyy,
	}
	relationsByTime = []string{
		rHoldsOffice,   // 2019-05-19T21:00Z (validFrom)
		rRussiaParty,   // 2025-03-17T21:00Z
		rPutinAgreed,   // 2025-03-18T13:30Z (16:30+03:00, before 10:00-04:00)
		rCallPutin,     // 2025-03-18T14:00Z
		rUkraineParty,  // 2025-03-18T21:00Z (23:00+02:00, before 18:00-04:00)
		rCallZelenskyy, // 2025-03-18T22:00Z (tie: id)
		rTrumpStated,   // 2025-03-18T22:00Z
		rAttackClaim,   // 2025-03-20T21:00Z (tie: id)
		rAttackDenial,  // 2025-03-20T21:00Z
		rCovers,        // undated, last
		rLocatedIn,     // undated
		rMediated,      // undated
	}
	relationsByID = []string{
		rCovers, rCallPutin, rCallZelenskyy, rPutinAgreed, rRussiaParty, rAttackClaim,
		rAttackDenial, rLocatedIn, rTrumpStated, rUkraineParty, rMediated, rHoldsOffice,
	}
)

// load writes the whole fixture and fails the test on any error.
func load(t *testing.T, s kg.Store) {
	t.Helper()
	ctx := t.Context()
	if _, _, err := s.UpsertSources(ctx, fixtureSources()); err != nil {
		t.Fatalf("fixture: UpsertSources: %v", err)
	}
	if _, _, err := s.UpsertEntities(ctx, fixtureEntities()); err != nil {
		t.Fatalf("fixture: UpsertEntities: %v", err)
	}
	if _, _, err := s.UpsertRelations(ctx, fixtureRelations()); err != nil {
		t.Fatalf("fixture: UpsertRelations: %v", err)
	}
	if _, _, err := s.UpsertRelations(ctx, fixtureDisputes()); err != nil {
		t.Fatalf("fixture: UpsertRelations (disputes): %v", err)
	}
}

// openLoaded opens a fresh store and loads the fixture into it.
func openLoaded(t *testing.T, open Opener) kg.Store {
	t.Helper()
	s := open(t)
	load(t, s)
	return s
}

func normEntities(t *testing.T, in []kg.EntityInput) []kg.EntityInput {
	t.Helper()
	out, err := kg.NormalizeEntities(in)
	if err != nil {
		t.Fatalf("fixture entities do not validate: %v", err)
	}
	return out
}

func normRelations(t *testing.T, in []kg.RelationInput) []kg.RelationInput {
	t.Helper()
	out, err := kg.NormalizeRelations(in)
	if err != nil {
		t.Fatalf("fixture relations do not validate: %v", err)
	}
	return out
}

func normSources(t *testing.T, in []kg.SourceInput) []kg.SourceInput {
	t.Helper()
	out, err := kg.NormalizeSources(in)
	if err != nil {
		t.Fatalf("fixture sources do not validate: %v", err)
	}
	return out
}
