package weblogin_test

import (
	"context"
	"testing"

	"github.com/cognitokit/cognitokit/oauth/weblogin"
)

func TestSessionFromContext(t *testing.T) {
	s := &weblogin.Session{Subject: "sub-1", Groups: []string{"admin"}}
	if got, ok := weblogin.SessionFromContext(weblogin.NewContext(context.Background(), s)); !ok || got != s {
		t.Errorf("got %v, %v; want the stored session", got, ok)
	}
	if got, ok := weblogin.SessionFromContext(context.Background()); ok || got != nil {
		t.Errorf("empty context: got %v, %v; want nil, false", got, ok)
	}
	if got, ok := weblogin.SessionFromContext(weblogin.NewContext(context.Background(), nil)); ok || got != nil {
		t.Errorf("nil session: got %v, %v; want nil, false", got, ok)
	}
	//lint:ignore SA1012 a nil context is the input under test
	if got, ok := weblogin.SessionFromContext(nil); ok || got != nil {
		t.Errorf("nil context: got %v, %v; want nil, false", got, ok)
	}
}
