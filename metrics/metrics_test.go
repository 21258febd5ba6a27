package metrics

import (
	"fmt"
	"strings"
	"testing"
)

func TestOperationLabelIsBounded(t *testing.T) {
	m := New()
	if got := m.operationLabel(""); got != Anonymous {
		t.Errorf("empty name: %q", got)
	}
	for _, bad := range []string{"has space", "1starts-with-digit", strings.Repeat("a", 65), "quote\"d"} {
		if got := m.operationLabel(bad); got != Other {
			t.Errorf("%q: %q", bad, got)
		}
	}
	for i := range MaxOperationNames {
		if got := m.operationLabel(fmt.Sprintf("Op%d", i)); got != fmt.Sprintf("Op%d", i) {
			t.Fatalf("name %d: %q", i, got)
		}
	}
	if got := m.operationLabel("OneTooMany"); got != Other {
		t.Errorf("past the cap: %q", got)
	}
	if got := m.operationLabel("Op7"); got != "Op7" {
		t.Errorf("a known name after the cap: %q", got)
	}
}
