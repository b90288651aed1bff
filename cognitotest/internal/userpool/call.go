package userpool

import (
	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// Read answers a call that only reads: it decodes the call's input into
// an In and answers with what fn returns in a read-only transaction, or
// with fn's error.
func Read[In any](s *Service, c *emulator.Call, fn func(tx *state.Tx, in *In) (any, *wire.Error)) (any, error) {
	var in In
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var out any
	var aerr *wire.Error
	s.State.View(func(tx *state.Tx) error {
		out, aerr = fn(tx, &in)
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	return out, nil
}

// Write answers a call that changes state: it decodes the call's input
// into an In and answers with what fn returns in a read-write
// transaction. An error from fn undoes the transaction's changes and is
// the answer, as is a failure to commit them.
func Write[In any](s *Service, c *emulator.Call, fn func(tx *state.Tx, in *In) (any, error)) (any, error) {
	var in In
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var out any
	err := s.State.Update(func(tx *state.Tx) (err error) {
		out, err = fn(tx, &in)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// List answers a list operation: the page of items that limit (0: max)
// and token select, each as item gives it, under key, with the
// NextToken of the next page when there is one.
func List[T, R any](key string, items []T, limit int32, token string, max int32, item func(T) R) (map[string]any, *wire.Error) {
	list, next, aerr := PageOf(items, limit, token, max, item)
	if aerr != nil {
		return nil, aerr
	}
	out := map[string]any{key: list}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

// PageOf returns the page of items that limit (0: max) and token select,
// each as item gives it (never nil), and the token of the next page (""
// on the last page): see [Page].
func PageOf[T, R any](items []T, limit int32, token string, max int32, item func(T) R) ([]R, string, *wire.Error) {
	start, end, next, aerr := Page(len(items), limit, token, max)
	if aerr != nil {
		return nil, "", aerr
	}
	list := make([]R, 0, end-start)
	for _, it := range items[start:end] {
		list = append(list, item(it))
	}
	return list, next, nil
}
