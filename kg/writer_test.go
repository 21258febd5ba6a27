package kg

import (
	"context"
	"testing"
)

func TestWriter(t *testing.T) {
	ctx := context.Background()
	if got := WriterFrom(ctx); got != "" {
		t.Fatalf("WriterFrom(empty) = %q, want empty", got)
	}
	ctx = WithWriter(ctx, "seed-bot")
	if got := WriterFrom(ctx); got != "seed-bot" {
		t.Fatalf("WriterFrom = %q, want seed-bot", got)
	}
	if got := WriterFrom(WithWriter(ctx, "alice")); got != "alice" {
		t.Fatalf("inner WithWriter should win, got %q", got)
	}
}
