package auth_test

import (
	"errors"
	"testing"

	"github.com/cognitokit/cognitokit/middleware/auth"
	"github.com/cognitokit/cognitokit/verifier"
)

func TestKindString(t *testing.T) {
	for k, want := range map[auth.Kind]string{
		auth.KindMissing: "missing", auth.KindBadRequest: "bad_request", auth.KindInvalidToken: "invalid_token",
		auth.KindForbidden: "forbidden", auth.KindUnavailable: "unavailable", 0: "Kind(0)", 42: "Kind(42)",
	} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q; want %q", uint8(k), got, want)
		}
	}
}

func TestRejectionError(t *testing.T) {
	rej := &auth.Rejection{Kind: auth.KindInvalidToken, Status: 401, Reason: "expired", Description: "The token has expired.",
		Err: verifier.ErrExpired, RetryAfter: 0}
	var err error = rej
	if !errors.Is(err, verifier.ErrExpired) {
		t.Error("a Rejection does not unwrap to its Err")
	}
	var got *auth.Rejection
	if !errors.As(err, &got) || got.Kind != auth.KindInvalidToken {
		t.Error("errors.As does not find the Rejection")
	}
	if s := rej.Error(); s != "auth: request rejected (expired): The token has expired." {
		t.Errorf("Error() = %q", s)
	}
	if h := (&auth.Rejection{RetryAfter: 10}).RetryAfterHeader(); h != "10" {
		t.Errorf("RetryAfterHeader = %q; want 10", h)
	}
}
