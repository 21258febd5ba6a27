package graph

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"

	"github.com/factgraph/factgraph/kg"
)

// upsertInput is what the mutations need of a kg input: its optional fields, and a way to
// set the call's mode and the fields to clear.
type upsertInput interface {
	kg.EntityInput | kg.SourceInput | kg.RelationInput
	ClearableFields() []string
}

// upsertInputs copies the inputs of an upsert mutation with the call's mode, and with Clear
// set to the optional fields each item gave as null, "" or []. gqlgen decodes an absent field
// and a null one to the same zero value; the difference, which merge depends on, survives
// only in the raw argument, so it is read from there.
func upsertInputs[T upsertInput](ctx context.Context, in []*T, mode *kg.UpsertMode, set func(*T, kg.UpsertMode, []string)) []T {
	m := kg.ModeMerge
	if mode != nil {
		m = *mode
	}
	raw := rawItems(ctx, "input")
	out := make([]T, len(in))
	for i, p := range in {
		out[i] = *p
		var clear []string
		if i < len(raw) {
			optional := out[i].ClearableFields()
			for k, v := range raw[i] {
				if emptyValue(v) && slices.Contains(optional, k) {
					clear = append(clear, k)
				}
			}
			slices.Sort(clear)
		}
		set(&out[i], m, clear)
	}
	return out
}

// rawItems returns the list argument arg of the current field as the client sent it, one map
// per item, with variables substituted. A single object where a list is expected counts as a
// list of one, as GraphQL's input coercion has it.
func rawItems(ctx context.Context, arg string) []map[string]any {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil {
		return nil
	}
	var vars map[string]any
	if graphql.HasOperationContext(ctx) {
		vars = graphql.GetOperationContext(ctx).Variables
	}
	v := fc.Field.ArgumentMap(vars)[arg]
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	out := make([]map[string]any, len(list))
	for i, it := range list {
		out[i], _ = it.(map[string]any)
	}
	return out
}

// emptyValue reports whether a raw input value is null, an empty string or an empty list.
func emptyValue(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	}
	return false
}

func setEntity(in *kg.EntityInput, m kg.UpsertMode, clear []string) { in.Mode, in.Clear = m, clear }
func setSource(in *kg.SourceInput, m kg.UpsertMode, clear []string) { in.Mode, in.Clear = m, clear }
func setRelation(in *kg.RelationInput, m kg.UpsertMode, clear []string) {
	in.Mode, in.Clear = m, clear
}
