package kg

import (
	"errors"
	"fmt"
	"strings"
)

// Code classifies a domain error; the API reports it as extensions.code.
type Code string

// The error codes.
const (
	CodeNotFound     Code = "NOT_FOUND"
	CodeInvalidInput Code = "BAD_USER_INPUT"
	CodeConflict     Code = "CONFLICT"
	CodeUnauthorized Code = "UNAUTHENTICATED"
	CodeForbidden    Code = "FORBIDDEN"
	CodeUnavailable  Code = "UNAVAILABLE"
)

// Error is a domain error: a code the client can act on and a message safe to show.
type Error struct {
	Code    Code
	Message string
	// Err is the underlying cause, for logs; never shown to clients.
	Err error
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrNotFound) and the like match any Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Code == e.Code
}

// Sentinels for errors.Is: they match every Error of their code.
var (
	ErrNotFound     = &Error{Code: CodeNotFound}
	ErrInvalidInput = &Error{Code: CodeInvalidInput}
	ErrConflict     = &Error{Code: CodeConflict}
	ErrUnavailable  = &Error{Code: CodeUnavailable}
)

// ErrorCode returns the code of the first Error in err's chain, and false if there is none.
func ErrorCode(err error) (Code, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Code, true
	}
	var fe *FieldErrors
	if errors.As(err, &fe) {
		return CodeInvalidInput, true
	}
	return "", false
}

// NotFound reports that no what with this id exists.
func NotFound(what, id string) error {
	return &Error{Code: CodeNotFound, Message: fmt.Sprintf("%s %q not found", what, id)}
}

// Conflict reports that the request contradicts the graph's current state.
func Conflict(format string, args ...any) error {
	return &Error{Code: CodeConflict, Message: fmt.Sprintf(format, args...)}
}

// Unavailable reports that the backing store cannot be reached; cause is kept for logs.
func Unavailable(cause error) error {
	return &Error{Code: CodeUnavailable, Message: "the database is unavailable; try again later", Err: cause}
}

// FieldError is one problem with one input field. Field is a path such as
// "input[3].confidence", so that a bulk loader can find the entry.
type FieldError struct {
	Field   string
	Message string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// FieldErrors is an invalid-input error listing every problem found, not just the first:
// someone fixing a seed file wants them all at once.
type FieldErrors struct{ List []FieldError }

func (e *FieldErrors) Error() string {
	parts := make([]string, len(e.List))
	for i, f := range e.List {
		parts[i] = f.Error()
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrInvalidInput) true for field errors.
func (e *FieldErrors) Is(target error) bool { return target == ErrInvalidInput }

// Invalid returns a FieldErrors with a single problem.
func Invalid(field, format string, args ...any) error {
	return &FieldErrors{List: []FieldError{{Field: field, Message: fmt.Sprintf(format, args...)}}}
}

// fieldErrs collects field errors during validation.
type fieldErrs struct{ list []FieldError }

func (f *fieldErrs) add(field, format string, args ...any) {
	f.list = append(f.list, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (f *fieldErrs) err() error {
	if len(f.list) == 0 {
		return nil
	}
	return &FieldErrors{List: f.list}
}
