package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// actionInput is the JSON body of every action; each reads the fields it
// needs.
type actionInput struct {
	Pool      string `json:"pool"`
	Username  string `json:"username"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
	Password  string `json:"password"`
	Permanent bool   `json:"permanent"`
	Group     string `json:"group"`
	Client    string `json:"client"`
}

// An actionFunc does what a console button does. It returns the answer
// for the page, or an error (a *wire.Error for the API's refusals).
type actionFunc func(c *Server, r *http.Request, in *actionInput) (any, error)

var actions = map[string]actionFunc{
	"create-user":       (*Server).createUser,
	"confirm":           (*Server).confirm,
	"set-password":      (*Server).setPassword,
	"add-to-group":      (*Server).addToGroup,
	"remove-from-group": (*Server).removeFromGroup,
	"delete-user":       (*Server).deleteUser,
	"token":             (*Server).token,
}

// consoleCall reports whether r comes from the console's script: with
// ActionHeader, which a page of another origin cannot send without a
// preflight the guard refuses.
func consoleCall(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get(ActionHeader) != "1" {
		writeError(w, http.StatusForbidden, "cognitotest: the console's API answers the console page only (header "+ActionHeader+": 1)")
		return false
	}
	return true
}

// action runs POST /_cognitokit/console/api/{action}.
func (c *Server) action(w http.ResponseWriter, r *http.Request) {
	if !consoleCall(w, r) {
		return
	}
	name := r.PathValue("action")
	fn := actions[name]
	if fn == nil {
		writeError(w, http.StatusNotFound, "no console action "+wire.Truncate(name, 32))
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "send the action as application/json")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxActionBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body exceeds %d bytes", maxActionBody))
		return
	}
	var in actionInput
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "the body is not an action: "+wire.Truncate(err.Error(), 200))
		return
	}
	if in.Pool == "" {
		writeError(w, http.StatusBadRequest, "pool: required")
		return
	}
	out, err := fn(c, r, &in)
	c.up.Logger().Info("cognitotest: console", "action", name, "pool", wire.Truncate(in.Pool, 64), "user", wire.Truncate(in.Username, 64), "ok", err == nil)
	if err != nil {
		var we *wire.Error
		switch {
		case errors.As(err, &we) && we.HTTPStatus() < 500:
			writeError(w, http.StatusBadRequest, we.Type+": "+we.Message)
		case errors.Is(err, emulator.ErrNotFound):
			writeError(w, http.StatusNotFound, emulator.Detail(err))
		case errors.Is(err, emulator.ErrInvalidConfig) || errors.Is(err, emulator.ErrAlreadyExists):
			writeError(w, http.StatusBadRequest, emulator.Detail(err))
		default:
			c.up.Logger().Error("cognitotest: console action failed", "action", name, "err", err)
			writeError(w, http.StatusInternalServerError, "the action failed; see the server log")
		}
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// invoke runs an operation of the user pool API as an IAM-authorized
// caller.
func (c *Server) invoke(r *http.Request, op string, in any) error {
	_, err := c.up.Invoke(r.Context(), c.reg, emulator.UserPools, op, in)
	return err
}

func done(format string, args ...any) map[string]string {
	return map[string]string{"message": fmt.Sprintf(format, args...)}
}

func required(name, v string) error {
	if v == "" {
		return wire.InvalidParameter("%s: required", name)
	}
	return nil
}

// createUser creates a user with AdminCreateUser. With a password, the
// user is confirmed with it; without, the invitation with a temporary
// password goes to the outbox. The email and phone number are verified.
func (c *Server) createUser(r *http.Request, in *actionInput) (any, error) {
	username := in.Username
	if username == "" {
		username = in.Email
	}
	if username == "" {
		return nil, wire.InvalidParameter("username or email: required")
	}
	type attr struct{ Name, Value string }
	var attrs []attr
	if in.Email != "" {
		attrs = append(attrs, attr{"email", in.Email}, attr{"email_verified", "true"})
	}
	if in.Phone != "" {
		attrs = append(attrs, attr{"phone_number", in.Phone}, attr{"phone_number_verified", "true"})
	}
	req := map[string]any{"UserPoolId": in.Pool, "Username": username, "UserAttributes": attrs}
	if in.Password != "" {
		req["MessageAction"] = "SUPPRESS"
		req["TemporaryPassword"] = in.Password
	}
	if err := c.invoke(r, "AdminCreateUser", req); err != nil {
		return nil, err
	}
	if in.Password == "" {
		return done("Created %s with a temporary password: see the outbox.", username), nil
	}
	err := c.invoke(r, "AdminSetUserPassword", map[string]any{"UserPoolId": in.Pool, "Username": username, "Password": in.Password, "Permanent": true})
	if err != nil {
		return nil, err
	}
	return done("Created %s, confirmed with the password given.", username), nil
}

func (c *Server) confirm(r *http.Request, in *actionInput) (any, error) {
	if err := required("username", in.Username); err != nil {
		return nil, err
	}
	if err := c.invoke(r, "AdminConfirmSignUp", map[string]any{"UserPoolId": in.Pool, "Username": in.Username}); err != nil {
		return nil, err
	}
	return done("Confirmed %s.", in.Username), nil
}

func (c *Server) setPassword(r *http.Request, in *actionInput) (any, error) {
	if err := required("username", in.Username); err != nil {
		return nil, err
	}
	if err := required("password", in.Password); err != nil {
		return nil, err
	}
	err := c.invoke(r, "AdminSetUserPassword", map[string]any{"UserPoolId": in.Pool, "Username": in.Username, "Password": in.Password, "Permanent": in.Permanent})
	if err != nil {
		return nil, err
	}
	if in.Permanent {
		return done("Set the password of %s.", in.Username), nil
	}
	return done("Set a temporary password for %s: the next sign-in must change it.", in.Username), nil
}

// addToGroup adds the user to a group, creating the group if needed.
func (c *Server) addToGroup(r *http.Request, in *actionInput) (any, error) {
	if err := required("username", in.Username); err != nil {
		return nil, err
	}
	if err := required("group", in.Group); err != nil {
		return nil, err
	}
	exists := false
	c.up.State.View(func(tx *state.Tx) error { exists = tx.Group(in.Pool, in.Group) != nil; return nil })
	if !exists {
		err := c.invoke(r, "CreateGroup", map[string]any{"UserPoolId": in.Pool, "GroupName": in.Group})
		var we *wire.Error
		if err != nil && !(errors.As(err, &we) && we.Type == "GroupExistsException") {
			return nil, err
		}
	}
	if err := c.invoke(r, "AdminAddUserToGroup", map[string]any{"UserPoolId": in.Pool, "Username": in.Username, "GroupName": in.Group}); err != nil {
		return nil, err
	}
	return done("Added %s to %s.", in.Username, in.Group), nil
}

func (c *Server) removeFromGroup(r *http.Request, in *actionInput) (any, error) {
	if err := required("username", in.Username); err != nil {
		return nil, err
	}
	if err := required("group", in.Group); err != nil {
		return nil, err
	}
	if err := c.invoke(r, "AdminRemoveUserFromGroup", map[string]any{"UserPoolId": in.Pool, "Username": in.Username, "GroupName": in.Group}); err != nil {
		return nil, err
	}
	return done("Removed %s from %s.", in.Username, in.Group), nil
}

func (c *Server) deleteUser(r *http.Request, in *actionInput) (any, error) {
	if err := required("username", in.Username); err != nil {
		return nil, err
	}
	if err := c.invoke(r, "AdminDeleteUser", map[string]any{"UserPoolId": in.Pool, "Username": in.Username}); err != nil {
		return nil, err
	}
	return done("Deleted %s.", in.Username), nil
}

// tokenJSON is the answer of the token action.
type tokenJSON struct {
	IDToken      string `json:"id_token"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	ExpiresIn    int32  `json:"expires_in"`
	ClientID     string `json:"client_id"`
	Username     string `json:"username"`
	Message      string `json:"message"`
}

// token issues fresh tokens for a user through an app client (the pool's
// first client by default), as a sign-in would: the pre token generation
// trigger runs. Only users who could sign in get them.
func (c *Server) token(r *http.Request, in *actionInput) (any, error) {
	if err := required("username", in.Username); err != nil {
		return nil, err
	}
	req := &userpool.MintRequest{Trigger: "TokenGeneration_Authentication"}
	var refusal error
	c.up.State.View(func(tx *state.Tx) error {
		p := tx.Pool(in.Pool)
		if p == nil {
			refusal = wire.ResourceNotFound("User pool %s does not exist.", wire.Truncate(in.Pool, 64))
			return nil
		}
		switch {
		case in.Client != "":
			if cl := tx.Client(in.Client); cl != nil && cl.PoolID == p.ID {
				req.Client = cl
			}
		default:
			if cls := tx.Clients(p.ID); len(cls) > 0 {
				req.Client = cls[0]
			}
		}
		if req.Client == nil {
			refusal = wire.ResourceNotFound("the pool %s has no app client %s", p.ID, wire.Truncate(in.Client, 64))
			return nil
		}
		u := userpool.LookupUser(tx, p, in.Username)
		switch {
		case u == nil:
			refusal = wire.UserNotFound()
		case !u.Enabled:
			refusal = wire.NotAuthorized("%s is disabled: it cannot sign in", u.Username)
		case u.Status != userpool.StatusConfirmed:
			refusal = wire.NotAuthorized("%s is %s: only confirmed users sign in; confirm the user or set a permanent password first", u.Username, u.Status)
		}
		req.User = u
		return nil
	})
	if refusal != nil {
		return nil, refusal
	}
	t, err := c.up.Mint(r.Context(), in.Pool, req)
	if err != nil {
		return nil, err
	}
	return tokenJSON{IDToken: t.IDToken, AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, ExpiresIn: t.ExpiresIn,
		ClientID: req.Client.ID, Username: req.User.Username,
		Message: fmt.Sprintf("Fresh tokens for %s through %s.", req.User.Username, req.Client.ID)}, nil
}

// secret answers GET /_cognitokit/console/api/secret?pool=&client=: the
// secret of an app client, which the page shows only when asked.
func (c *Server) secret(w http.ResponseWriter, r *http.Request) {
	if !consoleCall(w, r) {
		return
	}
	pool, client := r.URL.Query().Get("pool"), r.URL.Query().Get("client")
	var secret string
	found := false
	c.up.State.View(func(tx *state.Tx) error {
		if cl := tx.Client(client); cl != nil && cl.PoolID == pool {
			found, secret = true, cl.Secret
		}
		return nil
	})
	if !found {
		writeError(w, http.StatusNotFound, "no app client "+wire.Truncate(client, 64)+" in pool "+wire.Truncate(pool, 64))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"secret": secret})
}
