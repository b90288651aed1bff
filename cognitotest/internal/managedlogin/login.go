package managedlogin

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// loginPage serves GET /login: the sign-in page of a pending request.
func (o *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	defer o.mu.Unlock()
	req := o.requests[r.URL.Query().Get("request")]
	if req == nil || o.up.Now().After(req.expires) {
		errorPage(w, http.StatusBadRequest, "invalid_request", "This sign-in page has expired. Go back to the application and sign in again.")
		return
	}
	o.renderLogin(w, http.StatusOK, req, "")
}

// loginSubmit serves POST /login: the password, then the new password or
// the TOTP code.
func (o *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	s := o.up
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		errorPage(w, http.StatusBadRequest, "invalid_request", "The form could not be read.")
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	req := o.requests[r.PostForm.Get("request")]
	if req == nil || s.Now().After(req.expires) {
		errorPage(w, http.StatusBadRequest, "invalid_request", "This sign-in page has expired. Go back to the application and sign in again.")
		return
	}
	if ref := req.user; ref != nil {
		var u *state.User
		o.view(func(tx *state.Tx) { u = ref.user(tx) })
		if u == nil || !u.Enabled {
			delete(o.requests, req.id)
			errorPage(w, http.StatusBadRequest, "invalid_request", "The user no longer exists or is disabled.")
			return
		}
		if req.step == "newpw" {
			o.newPasswordLocked(w, r, req, u)
			return
		}
		if lock := s.Lockouts.Check(u.PoolID, u.Sub); lock != nil {
			o.failLocked(w, req, lock.Message)
			return
		}
		if !userpool.CheckTOTP(u.TOTPSecret, strings.TrimSpace(r.PostForm.Get("code")), s.Now()) {
			o.failedSignIn(r, u, userpool.StepMFA)
			o.failLocked(w, req, "Invalid code received for user")
			return
		}
		o.finishLoginLocked(w, r, req, u)
		return
	}
	if !userpool.HasString(req.client.SupportedIdentityProviders, "COGNITO") { // federation only (federation.go)
		errorPage(w, http.StatusBadRequest, "invalid_request", "The app client does not allow sign-in with a username and password (COGNITO is not one of its identity providers).")
		return
	}
	username, password := strings.TrimSpace(r.PostForm.Get("username")), r.PostForm.Get("password")
	if username == "" || password == "" {
		o.renderLogin(w, http.StatusOK, req, "Enter your username and password.")
		return
	}
	var u *state.User
	var p *state.Pool
	o.view(func(tx *state.Tx) { p = tx.Pool(req.client.PoolID); u = userpool.LookupUser(tx, p, username) })
	msg := ""
	caller := userpool.Caller{ClientID: req.client.ID}
	if u == nil && p != nil { // as Cognito's managed login: the UserMigration trigger
		mu, err := s.MigrateUser(r.Context(), p, userpool.Migration{Source: "UserMigration_Authentication", Caller: caller, Username: username, Password: password})
		switch {
		case errors.Is(err, userpool.ErrNotMigrated):
		case err != nil:
			msg = triggerMessage(err)
		default:
			u = mu // nil without a trigger
		}
	}
	if msg == "" && p != nil && (u != nil || req.client.PreventUserExistenceErrors) {
		if err := s.RunPreAuthentication(r.Context(), p, caller, username, u); err != nil {
			msg = triggerMessage(err)
		}
	}
	var lock *wire.Error
	if u != nil {
		lock = s.Lockouts.Check(u.PoolID, u.Sub)
	}
	switch {
	case msg != "":
	case u == nil && !req.client.PreventUserExistenceErrors:
		msg = "User does not exist."
	case lock != nil:
		msg = lock.Message
	case u != nil && u.Status == userpool.StatusResetRequired && !u.HasPassword(): // imported
		msg = "Password reset required for the user"
	case u == nil:
		msg = "Incorrect username or password."
	case !userpool.CheckPassword(p, u, password):
		o.failedSignIn(r, u, userpool.StepPassword)
		msg = "Incorrect username or password."
	case u.Status == userpool.StatusUnconfirmed:
		msg = "User is not confirmed."
	case !u.Enabled:
		msg = "User is disabled."
	case u.Status == userpool.StatusResetRequired:
		msg = "Password reset required for the user"
	case u.Status == userpool.StatusForceChangePassword && s.Now().After(u.TemporaryPasswordExpires):
		msg = "Temporary password has expired and must be reset by an administrator."
	}
	if msg != "" {
		o.failLocked(w, req, msg)
		return
	}
	ref := refOf(u)
	req.user, req.failures = &ref, 0
	if u.Status == userpool.StatusForceChangePassword {
		req.step = "newpw"
		o.renderLogin(w, http.StatusOK, req, "")
		return
	}
	o.afterPasswordLocked(w, r, req, u)
}

// triggerMessage is the message the sign-in page shows for an error of a
// trigger: Cognito's message ("PreAuthentication failed with error ...").
func triggerMessage(err error) string {
	var we *wire.Error
	if errors.As(err, &we) {
		return we.Message
	}
	return "The sign-in failed."
}

// failedSignIn records a failed password or TOTP code of u: a failed
// attempt for the lockout, and a failed SignIn auth event.
func (o *Server) failedSignIn(r *http.Request, u *state.User, step string) {
	o.up.Lockouts.Fail(u.PoolID, u.Sub)
	var steps []state.AuthEventChallenge
	if step == userpool.StepMFA {
		steps = append(steps, state.AuthEventChallenge{Name: userpool.StepPassword, Response: "Success"})
	}
	steps = append(steps, state.AuthEventChallenge{Name: step, Response: "Failure"})
	ec := userpool.ContextOf(r, "")
	o.up.RecordAuthEvent(u.PoolID, u.Sub, &state.AuthEvent{Type: userpool.EventSignIn, Response: userpool.EventFail, Challenges: steps,
		IPAddress: ec.IP, DeviceName: ec.DeviceName})
}

// failLocked counts a failed attempt and shows the form again, or ends the
// request after five failures.
func (o *Server) failLocked(w http.ResponseWriter, req *authzRequest, msg string) {
	req.failures++
	if req.failures >= 5 {
		delete(o.requests, req.id)
		errorPage(w, http.StatusBadRequest, "access_denied", "Too many failed attempts. Go back to the application and sign in again.")
		return
	}
	o.renderLogin(w, http.StatusOK, req, msg)
}

// afterPasswordLocked asks for a TOTP code when the user has an
// authenticator app and the pool has MFA, and finishes otherwise.
func (o *Server) afterPasswordLocked(w http.ResponseWriter, r *http.Request, req *authzRequest, u *state.User) {
	var mfa string
	o.view(func(tx *state.Tx) {
		if p := tx.Pool(req.client.PoolID); p != nil {
			mfa = p.MFA
		}
	})
	if mfa != userpool.MFAOff && u.TOTPSecret != "" && userpool.HasString(userpool.MFAMethods(u), userpool.MFATOTP) {
		req.step = "mfa"
		o.renderLogin(w, http.StatusOK, req, "")
		return
	}
	o.finishLoginLocked(w, r, req, u)
}

// newPasswordLocked handles the new-password form of a user created with a
// temporary password (Cognito's NEW_PASSWORD_REQUIRED).
func (o *Server) newPasswordLocked(w http.ResponseWriter, r *http.Request, req *authzRequest, u *state.User) {
	s := o.up
	pw := r.PostForm.Get("new_password")
	if pw != r.PostForm.Get("confirm_password") {
		o.failLocked(w, req, "The passwords do not match.")
		return
	}
	var p *state.Pool
	o.view(func(tx *state.Tx) { p = tx.Pool(req.client.PoolID) })
	if p == nil {
		errorPage(w, http.StatusBadRequest, "invalid_request", "The user pool no longer exists.")
		return
	}
	if msg := userpool.CheckPasswordPolicy(p, pw); msg != "" {
		o.failLocked(w, req, msg)
		return
	}
	for _, a := range p.RequiredAttributes {
		if _, ok := u.Attributes[a]; !ok {
			errorPage(w, http.StatusBadRequest, "invalid_request", "The user lacks the required attribute "+a+", which the cognitotest sign-in page cannot collect.")
			return
		}
	}
	salt, v := s.PasswordSecrets(p, u.Username, pw)
	var nu *state.User
	err := s.State.Update(func(tx *state.Tx) error {
		cur := req.user.user(tx)
		if cur == nil {
			return emulator.NotFoundf("user %q", u.Username)
		}
		nu = cur.Clone()
		userpool.SetPassword(nu, salt, v)
		nu.Status = userpool.StatusConfirmed
		nu.ModifiedAt = s.Now()
		tx.PutUser(tx.Pool(p.ID), nu)
		return nil
	})
	if err != nil {
		delete(o.requests, req.id)
		errorPage(w, http.StatusBadRequest, "invalid_request", "The user no longer exists or is disabled.")
		return
	}
	req.step = ""
	o.afterPasswordLocked(w, r, req, nu)
}

// finishLoginLocked runs the PostAuthentication trigger, starts a
// managed-login session and issues the code.
func (o *Server) finishLoginLocked(w http.ResponseWriter, r *http.Request, req *authzRequest, u *state.User) {
	s := o.up
	var p *state.Pool
	o.view(func(tx *state.Tx) { p = tx.Pool(req.client.PoolID) })
	if p != nil && !req.federated {
		if err := s.RunPostAuthentication(r.Context(), p, userpool.Caller{ClientID: req.client.ID}, u, false); err != nil {
			o.failLocked(w, req, triggerMessage(err))
			return
		}
	}
	delete(o.requests, req.id)
	s.Lockouts.Succeed(u.PoolID, u.Sub)
	steps := []state.AuthEventChallenge{{Name: userpool.StepPassword, Response: "Success"}}
	if req.step == "mfa" {
		steps = append(steps, state.AuthEventChallenge{Name: userpool.StepMFA, Response: "Success"})
	}
	ec := userpool.ContextOf(r, "")
	s.RecordAuthEvent(u.PoolID, u.Sub, &state.AuthEvent{Type: userpool.EventSignIn, Response: userpool.EventPass, Challenges: steps,
		IPAddress: ec.IP, DeviceName: ec.DeviceName})
	now := s.Now()
	if len(o.sso) < maxPending {
		id := s.RandString(40, emulator.Alnum)
		o.sso[id] = &ssoSession{user: refOf(u), authTime: now, expires: now.Add(ssoLifetime)}
		http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: int(ssoLifetime / time.Second)})
	}
	o.issueCodeLocked(w, r, req, refOf(u), now)
}
