package verifier

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func TestPolicyEvaluate(t *testing.T) {
	c := &Claims{Groups: []string{"admin", "ops"}, Scopes: []string{"orders/read", "openid"}}
	errDenied := errors.New("denied")
	tests := []struct {
		name    string
		p       Policy
		want    error
		missing []string
		all     bool
	}{
		{name: "zero policy", p: Policy{}},
		{name: "any group hit", p: Policy{AnyGroups: []string{"x", "ops"}}},
		{name: "any group miss", p: Policy{AnyGroups: []string{"x", "y"}}, want: ErrMissingGroup, missing: []string{"x", "y"}},
		{name: "all groups hit", p: Policy{AllGroups: []string{"ops", "admin"}}},
		{name: "all groups miss", p: Policy{AllGroups: []string{"ops", "x", "admin", "y"}}, want: ErrMissingGroup, missing: []string{"x", "y"}, all: true},
		{name: "any scope miss", p: Policy{AnyScopes: []string{"orders/write"}}, want: ErrMissingScope, missing: []string{"orders/write"}},
		{name: "all scopes miss", p: Policy{AllScopes: []string{"openid", "orders/write"}}, want: ErrMissingScope, missing: []string{"orders/write"}, all: true},
		{name: "groups checked before scopes", p: Policy{AnyScopes: []string{"zzz"}, AllGroups: []string{"zzz"}}, want: ErrMissingGroup, missing: []string{"zzz"}, all: true},
		{name: "check rejects", p: Policy{Check: func(context.Context, *Claims) error { return errDenied }}, want: errDenied},
		{name: "check passes", p: Policy{Check: func(context.Context, *Claims) error { return nil }}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Evaluate(context.Background(), c)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("got %v; want nil", err)
				}
				return
			}
			var pe *PolicyError
			if !errors.Is(err, tc.want) || !errors.As(err, &pe) {
				t.Fatalf("got %v; want a *PolicyError matching %v", err, tc.want)
			}
			if !slices.Equal(pe.Missing, tc.missing) || pe.All != tc.all {
				t.Errorf("got Missing %v All %v; want %v %v", pe.Missing, pe.All, tc.missing, tc.all)
			}
			if tc.want == errDenied && !errors.Is(err, ErrCheckFailed) {
				t.Errorf("check error %v does not match ErrCheckFailed", err)
			}
			if Reason(err) == "other" {
				t.Errorf("Reason(%v) = other", err)
			}
		})
	}
	if err := (Policy{AnyGroups: []string{"a"}}).Evaluate(context.Background(), nil); !errors.Is(err, ErrCheckFailed) {
		t.Errorf("nil claims: got %v; want ErrCheckFailed", err)
	}
}

func TestNilSafety(t *testing.T) {
	keys(t)
	var c *Claims
	if c.HasGroup("a") || c.HasScope("a") || c.HasAnyGroup("a") || c.HasAllGroups("a") || c.HasAnyScope("a") ||
		c.HasAllScopes("a") || c.IsMachine() {
		t.Errorf("nil claims report a group, scope or machine")
	}
	if _, ok := c.Get("sub"); ok {
		t.Errorf("nil claims Get found a member")
	}
	if err := c.Decode(&struct{}{}); err == nil {
		t.Errorf("nil claims Decode: got nil error")
	}
	var ctx context.Context // a nil context is an error, not a panic
	srv := newJWKSServer(t, jwksOf(keyA))
	v := newRemote(t, remoteConfig(srv), nil)
	if _, err := v.Verify(ctx, mint(t, keyA, accessClaims())); !errors.Is(err, ErrInvalidInput) || Reason(err) != "invalid_input" {
		t.Errorf("Verify(nil context): %v; want ErrInvalidInput", err)
	}
	if err := v.Warm(ctx); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("Warm(nil context): %v; want ErrInvalidInput", err)
	}
}

func TestClaimsMembershipHelpers(t *testing.T) {
	c := &Claims{Groups: []string{"admin", "staff"}, Scopes: []string{"orders/read"}}
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"HasAnyGroup one present", c.HasAnyGroup("nobody", "staff"), true},
		{"HasAnyGroup none present", c.HasAnyGroup("nobody", "guests"), false},
		{"HasAnyGroup of nothing", c.HasAnyGroup(), false},
		{"HasAllGroups all present", c.HasAllGroups("admin", "staff"), true},
		{"HasAllGroups one missing", c.HasAllGroups("admin", "nobody"), false},
		{"HasAllGroups of nothing", c.HasAllGroups(), true},
		{"HasAnyScope present", c.HasAnyScope("orders/write", "orders/read"), true},
		{"HasAnyScope absent", c.HasAnyScope("orders/write"), false},
		{"HasAllScopes present", c.HasAllScopes("orders/read"), true},
		{"HasAllScopes one missing", c.HasAllScopes("orders/read", "orders/write"), false},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %v; want %v", tc.name, tc.got, tc.want)
		}
	}
}
