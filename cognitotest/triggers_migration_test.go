package cognitotest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognitotest"
)

// TestTriggerUserMigration migrates users from a "legacy" user store at
// sign-in (UserMigration_Authentication) and at password reset
// (UserMigration_ForgotPassword), as a handler written for aws-lambda-go
// does.
func TestTriggerUserMigration(t *testing.T) {
	t.Parallel()
	legacy := map[string]struct{ password, email, status string }{
		"olga": {testPassword, "olga@example.com", ""},
		"pete": {testPassword, "pete@example.com", "RESET_REQUIRED"},
		"quin": {"", "quin@example.com", ""},
	}
	rec := newRecorder()
	migrate := func(_ context.Context, ev events.CognitoEventUserPoolsMigrateUser) (events.CognitoEventUserPoolsMigrateUser, error) {
		u, ok := legacy[ev.UserName]
		switch {
		case !ok:
			return ev, nil // not migrated: no userAttributes
		case ev.TriggerSource == "UserMigration_Authentication" && ev.CognitoEventUserPoolsMigrateUserRequest.Password != u.password:
			return ev, errors.New("Bad password")
		}
		ev.CognitoEventUserPoolsMigrateUserResponse = events.CognitoEventUserPoolsMigrateUserResponse{
			UserAttributes:  map[string]string{"email": u.email, "email_verified": "true", "name": "Legacy " + ev.UserName},
			FinalUserStatus: u.status, MessageAction: "SUPPRESS"}
		return ev, nil
	}
	e := newTriggerEnv(t, cognitotest.PoolConfig{LambdaTriggers: cognitotest.LambdaTriggers{UserMigration: rec.wrap(migrate)}})
	const source = "UserMigration_Authentication"

	t.Run("sign-in", func(t *testing.T) {
		out := must(e.login(triggerApp, "olga", testPassword, map[string]string{"app": "web"}))
		goldenEvent[events.CognitoEventUserPoolsMigrateUser](t, source, rec.last(t, source), "response.enableSMSMFA")
		if out.AuthenticationResult == nil {
			t.Fatal("a migrated user got no tokens")
		}
		u := e.user(t, "olga")
		if u.Status != cognitotest.StatusConfirmed || u.Attributes["email"] != "olga@example.com" || u.Attributes["name"] != "Legacy olga" {
			t.Errorf("migrated user: %s %v; want CONFIRMED with the legacy attributes", u.Status, u.Attributes)
		}
		// The user is in the pool now: no more migration.
		n := rec.count(source)
		must(e.login(triggerApp, "olga", testPassword, nil))
		if _, err := e.login(triggerApp, "olga", "Wrong-Passw0rd!", nil); err == nil {
			t.Error("a wrong password of a migrated user signed in")
		}
		if rec.count(source) != n {
			t.Error("UserMigration ran for a user the pool has")
		}
		if len(e.srv.Messages()) != 0 {
			t.Errorf("messages sent: %v; want none (messageAction SUPPRESS)", e.srv.Messages())
		}
	})
	t.Run("finalUserStatus RESET_REQUIRED", func(t *testing.T) {
		_, err := e.login(triggerApp, "pete", testPassword, nil)
		wantErr[*types.PasswordResetRequiredException](t, err, "a migrated user with RESET_REQUIRED")
		if s := e.user(t, "pete").Status; s != cognitotest.StatusResetRequired {
			t.Errorf("status %s; want RESET_REQUIRED", s)
		}
	})
	t.Run("error", func(t *testing.T) {
		_, err := e.login(triggerApp, "olga2", testPassword, nil)
		wantErr[*types.UserNotFoundException](t, err, "a user the trigger does not migrate")
		legacy["rita"] = struct{ password, email, status string }{"Other-Passw0rd!", "rita@example.com", ""}
		_, err = e.login(triggerApp, "rita", testPassword, nil)
		lambdaErr[*types.UserLambdaValidationException](t, err, "UserMigration failed with error Bad password.")
		if _, err := e.pool.User("rita"); !errors.Is(err, cognitotest.ErrNotFound) {
			t.Errorf("a refused migration created the user: %v", err)
		}
	})
	t.Run("ForgotPassword", func(t *testing.T) {
		out := must(e.api.ForgotPassword(ctx(), &cip.ForgotPasswordInput{ClientId: aws.String(triggerApp), Username: aws.String("quin"),
			ClientMetadata: map[string]string{"reason": "forgot"}}))
		goldenEvent[events.CognitoEventUserPoolsMigrateUser](t, "UserMigration_ForgotPassword", rec.last(t, "UserMigration_ForgotPassword"),
			"response.enableSMSMFA", "request.password")
		if out.CodeDeliveryDetails == nil || aws.ToString(out.CodeDeliveryDetails.Destination) == "" {
			t.Fatalf("ForgotPassword of a migrated user: %+v; want a code sent", out.CodeDeliveryDetails)
		}
		if s := e.user(t, "quin").Status; s != cognitotest.StatusResetRequired {
			t.Errorf("status %s; want RESET_REQUIRED", s)
		}
		must(e.api.ConfirmForgotPassword(ctx(), &cip.ConfirmForgotPasswordInput{ClientId: aws.String(triggerApp), Username: aws.String("quin"),
			ConfirmationCode: aws.String(e.srv.LastCode("quin", cognitotest.MsgForgotPassword)), Password: aws.String("Quin-Passw0rd-1")}))
		must(e.login(triggerApp, "quin", "Quin-Passw0rd-1", nil))
	})
}
