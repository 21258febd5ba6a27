package server

// DefaultAllowedHeaders are the request headers a browser may send to /graphql from another
// origin unless -cors-headers says otherwise. A header missing here fails the CORS preflight,
// and the browser never sends the request, so the list covers what the common clients send:
//
//   - every client: Content-Type (application/json is not a "simple" type), Accept (urql and
//     graphql-request ask for application/graphql-response+json), Authorization (the write
//     token), X-Request-Id (to correlate with the server's logs);
//   - Apollo Client and Apollo's CSRF prevention: apollographql-client-name,
//     apollographql-client-version, x-apollo-operation-name, apollo-require-preflight;
//   - Relay and hand-written fetch: X-Requested-With;
//   - tracing in the browser (OpenTelemetry's fetch instrumentation, Sentry): traceparent,
//     tracestate, baggage, sentry-trace.
//
// rs/cors compares header names case-insensitively.
var DefaultAllowedHeaders = []string{
	"Content-Type", "Accept", "Authorization", "X-Request-Id",
	// Read your writes across processes: the bookmark a write returned (server.go).
	BookmarkHeader,
	"Apollographql-Client-Name", "Apollographql-Client-Version", "X-Apollo-Operation-Name", "Apollo-Require-Preflight",
	"X-Requested-With",
	"Traceparent", "Tracestate", "Baggage", "Sentry-Trace",
}
