package revocation_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cognitokit/cognitokit/verifier"
	"github.com/cognitokit/cognitokit/verifier/revocation"
)

// A sign-out is recorded by origin_jti; the verifier (here called
// directly) then refuses every token of that sign-in, and only those.
func Example() {
	list, err := revocation.New(revocation.Config{})
	if err != nil {
		panic(err)
	}
	defer list.Close()
	ctx := context.Background()
	// What verifier.Config.Revocation sees for two sign-ins of one user.
	laptop := &verifier.Claims{Subject: "alice", OriginJTI: "sign-in-1", IssuedAt: time.Now()}
	phone := &verifier.Claims{Subject: "alice", OriginJTI: "sign-in-2", IssuedAt: time.Now()}

	list.Revoke(ctx, revocation.Entry{OriginJTI: "sign-in-1"}) // the laptop signed out
	fmt.Println(errors.Is(list.CheckRevoked(ctx, "", laptop), verifier.ErrRevoked))
	fmt.Println(list.CheckRevoked(ctx, "", phone))

	// "Sign out everywhere": every token of alice issued until now.
	list.Revoke(ctx, revocation.Entry{Subject: "alice", IssuedBefore: time.Now().Add(time.Second)})
	fmt.Println(errors.Is(list.CheckRevoked(ctx, "", phone), verifier.ErrRevoked))
	fmt.Println(list.Len())
	// Output:
	// true
	// <nil>
	// true
	// 2
}
