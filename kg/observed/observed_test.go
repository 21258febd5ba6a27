package observed_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
	"github.com/factgraph/factgraph/kg/embedded"
	"github.com/factgraph/factgraph/kg/observed"
)

// Every Store method reports itself once, with the error the store returned, and passes the
// store's answer through unchanged.
func TestEveryMethodIsObserved(t *testing.T) {
	inner, err := embedded.Open(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	other, err := embedded.Open(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	type call struct {
		method string
		err    error
	}
	var calls []call
	s := observed.Wrap(inner, func(_ context.Context, method string, d time.Duration, err error) {
		if d < 0 {
			t.Errorf("%s: negative duration", method)
		}
		calls = append(calls, call{method, err})
	})

	iface := reflect.TypeFor[kg.Store]()
	v := reflect.ValueOf(s)
	var closeMethod reflect.Method
	for i := range iface.NumMethod() {
		m := iface.Method(i)
		if m.Name == "Close" {
			closeMethod = m // last, so the others run on an open store
			continue
		}
		callZero(v, m)
		if len(calls) == 0 || calls[len(calls)-1].method != m.Name {
			t.Errorf("%s was not observed (calls: %v)", m.Name, calls)
		}
	}
	callZero(v, closeMethod)
	if len(calls) != iface.NumMethod() {
		t.Errorf("%d calls observed for %d methods", len(calls), iface.NumMethod())
	}

	// Errors reach the observer as the store returned them.
	calls = nil
	s2 := observed.Wrap(other, func(_ context.Context, method string, _ time.Duration, err error) {
		calls = append(calls, call{method, err})
	})
	_, err = s2.DeleteEntity(t.Context(), "person:nobody", false)
	if err == nil || len(calls) != 1 || calls[0].err != err || calls[0].method != "DeleteEntity" {
		t.Errorf("error not passed through: %v, %+v", err, calls)
	}
}

// callZero calls method m of v with a background context and zero values for the rest.
func callZero(v reflect.Value, m reflect.Method) {
	fn := v.MethodByName(m.Name)
	args := make([]reflect.Value, fn.Type().NumIn())
	for i := range args {
		if in := fn.Type().In(i); in == reflect.TypeFor[context.Context]() {
			args[i] = reflect.ValueOf(context.Background())
		} else {
			args[i] = reflect.Zero(in)
		}
	}
	fn.Call(args)
}
