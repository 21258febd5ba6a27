package kg

import "slices"

// Stores use these to tell an update from a no-op, so that re-running a seed reports every
// item as unchanged and leaves updatedAt alone.

func samePtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// Same reports whether writing in would leave e as it is.
func (e *Entity) Same(in EntityInput) bool {
	return e.Kind == in.Kind && e.Name == in.Name && slices.Equal(e.Aliases, in.Aliases) &&
		e.Description == in.Description && slices.Equal(e.SourceIDs, in.SourceIDs) &&
		e.Category == in.Category && e.CountryCode == in.CountryCode &&
		e.AgreementStatus == in.AgreementStatus && e.Scope == in.Scope &&
		e.ValidFrom.Equal(in.ValidFrom) && e.ValidTo.Equal(in.ValidTo) &&
		e.OccurredAt.Equal(in.OccurredAt) && samePtr(e.DurationMinutes, in.DurationMinutes)
}

// Same reports whether writing in would leave s as it is.
func (s *Source) Same(in SourceInput) bool {
	return s.Title == in.Title && s.URL == in.URL && s.Publisher == in.Publisher &&
		s.Author == in.Author && s.PublishedAt.Equal(in.PublishedAt) && s.Category == in.Category
}

// Same reports whether writing in would leave r as it is.
func (r *Relation) Same(in RelationInput) bool {
	return r.Type == in.Type && r.FromID == in.FromID && r.ToID == in.ToID &&
		r.Status == in.Status && r.ClaimedByID == in.ClaimedByID &&
		slices.Equal(r.SourceIDs, in.SourceIDs) && r.Quote == in.Quote &&
		samePtr(r.Confidence, in.Confidence) && r.Role == in.Role &&
		r.Description == in.Description && r.OccurredAt.Equal(in.OccurredAt) &&
		r.ValidFrom.Equal(in.ValidFrom) && r.ValidTo.Equal(in.ValidTo) &&
		slices.Equal(r.DisputesIDs, in.DisputesIDs)
}

// SourceCursor returns the cursor that points just after s in source order.
func SourceCursor(s *Source) string {
	return Cursor{Order: SourceOrder.name(), ID: s.ID}.Encode()
}
