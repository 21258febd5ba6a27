package kg

import "context"

type writerKey struct{}

// WithWriter names who is writing through ctx: the name of the write token a request
// presented, or of the tool (the seed loader) acting on its own. Stores record it in the
// history of every change the write makes, so each revision can be traced to its author.
func WithWriter(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, writerKey{}, name)
}

// WriterFrom returns the writer named by WithWriter, or "" when no one was named (an
// anonymous write on a server that allows them).
func WriterFrom(ctx context.Context) string {
	name, _ := ctx.Value(writerKey{}).(string)
	return name
}
