//lint:file-ignore SA1019 this file checks that the deprecated package forwards to this one

package auth_test

import (
	"errors"
	"testing"

	old "github.com/cognitokit/cognitokit/auth"
	"github.com/cognitokit/cognitokit/middleware/auth"
)

// TestForwarders: the deprecated names of package
// github.com/cognitokit/cognitokit/auth are the new package's values, so
// code written against either package interoperates.
func TestForwarders(t *testing.T) {
	rej := &old.Rejection{Kind: old.KindForbidden, Err: auth.ErrNoClaims}
	var r *auth.Rejection = rej
	if r.Kind != auth.KindForbidden {
		t.Errorf("Kind %v; want %v", r.Kind, auth.KindForbidden)
	}
	if !errors.Is(rej, old.ErrNoClaims) {
		t.Errorf("errors.Is(rejection, old ErrNoClaims) = false; want true")
	}
	pairs := []struct{ a, b error }{
		{old.ErrNoToken, auth.ErrNoToken},
		{old.ErrAmbiguousToken, auth.ErrAmbiguousToken},
		{old.ErrBadAuthorization, auth.ErrBadAuthorization},
		{old.ErrNoClaims, auth.ErrNoClaims},
		{old.ErrNoMiddleware, auth.ErrNoMiddleware},
		{old.ErrInvalidInput, auth.ErrInvalidInput},
	}
	for _, p := range pairs {
		if p.a != p.b {
			t.Errorf("%v is not the same value as middleware/auth's", p.a)
		}
	}
	if old.CodeInvalidToken != auth.CodeInvalidToken || old.KindUnavailable != auth.KindUnavailable {
		t.Errorf("constants differ")
	}
}
