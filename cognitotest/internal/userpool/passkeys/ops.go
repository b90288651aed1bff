package passkeys

import (
	"encoding/base64"
	"encoding/json"
	"sync"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// maxPending bounds the registrations in progress.
const maxPending = 10000

type ops struct {
	svc *userpool.Service

	mu      sync.Mutex                               // guards pending
	pending map[string]*userpool.PasskeyRegistration // by pool ID "/" sub: a user's latest StartWebAuthnRegistration
}

// Register adds the WebAuthn operations to r. They are authorized by the
// user's access token (public, as in Cognito). A registration in progress
// is kept in memory, as sign-in sessions are.
func Register(r *emulator.Registry, svc *userpool.Service) {
	o := &ops{svc: svc, pending: map[string]*userpool.PasskeyRegistration{}}
	op := func(name string, h emulator.Handler, writes bool) emulator.Op {
		return emulator.Op{Service: emulator.UserPools, Name: name, Handler: h, Public: true, Writes: writes}
	}
	r.Add(
		op("StartWebAuthnRegistration", o.start, false),
		op("CompleteWebAuthnRegistration", o.complete, true),
		op("ListWebAuthnCredentials", o.list, false),
		op("DeleteWebAuthnCredential", o.delete, true),
	)
}

// caller checks the access token and returns its pool, user and app
// client.
func (o *ops) caller(tx *state.Tx, token string) (*state.Pool, *state.User, string, *wire.Error) {
	if token == "" {
		return nil, nil, "", wire.InvalidParameter("Missing required parameter AccessToken")
	}
	t, aerr := o.svc.AccessToken(tx, token)
	if aerr != nil {
		return nil, nil, "", aerr
	}
	return t.Pool, t.User, t.Claims.ClientID, nil
}

func (o *ops) start(c *emulator.Call) (any, error) {
	var in struct{ AccessToken string }
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	var opts json.RawMessage
	var reg *userpool.PasskeyRegistration
	var aerr *wire.Error
	o.svc.State.View(func(tx *state.Tx) error {
		var p *state.Pool
		var u *state.User
		var clientID string
		if p, u, clientID, aerr = o.caller(tx, in.AccessToken); aerr != nil {
			return nil
		}
		if aerr = userpool.PasskeysEnabled(p); aerr != nil {
			return nil
		}
		var rp *userpool.RelyingParty
		if rp, aerr = o.svc.RelyingParty(tx, p); aerr != nil {
			return nil
		}
		opts, reg, aerr = userpool.BeginPasskeyRegistration(rp, u, tx.Passkeys(p.ID, u.Sub), o.svc.Now())
		if reg != nil {
			reg.ClientID = clientID
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	o.mu.Lock()
	now := o.svc.Now()
	if len(o.pending) >= maxPending {
		for k, r := range o.pending {
			if now.After(r.Expires) {
				delete(o.pending, k)
			}
		}
	}
	full := len(o.pending) >= maxPending
	if !full {
		o.pending[reg.PoolID+"/"+reg.Sub] = reg
	}
	o.mu.Unlock()
	if full {
		return nil, wire.Errorf("TooManyRequestsException", "Too many passkey registrations in progress; try again later.")
	}
	return map[string]any{"CredentialCreationOptions": opts}, nil
}

func (o *ops) complete(c *emulator.Call) (any, error) {
	var in struct {
		AccessToken string
		Credential  json.RawMessage
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if len(in.Credential) == 0 || string(in.Credential) == "null" {
		return nil, wire.InvalidParameter("Missing required parameter Credential")
	}
	var p *state.Pool
	var u *state.User
	var clientID string
	var keys []*state.Passkey
	var aerr *wire.Error
	o.svc.State.View(func(tx *state.Tx) error {
		if p, u, clientID, aerr = o.caller(tx, in.AccessToken); aerr == nil {
			if aerr = userpool.PasskeysEnabled(p); aerr == nil {
				keys = tx.Passkeys(p.ID, u.Sub)
			}
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	key := p.ID + "/" + u.Sub
	o.mu.Lock()
	reg := o.pending[key]
	o.mu.Unlock()
	now := o.svc.Now()
	if reg == nil || now.After(reg.Expires) {
		return nil, wire.Errorf("WebAuthnChallengeNotFoundException", "The user has no passkey registration in progress; call StartWebAuthnRegistration first.")
	}
	if reg.ClientID != clientID {
		return nil, wire.Errorf("WebAuthnClientMismatchException", "The registration was started with an access token of another app client.")
	}
	k, aerr := userpool.FinishPasskeyRegistration(reg, u, keys, in.Credential, now)
	if aerr != nil {
		return nil, aerr
	}
	err := o.svc.State.Update(func(tx *state.Tx) error {
		cur := userpool.UserOf(tx, tx.Pool(p.ID), u.Username, u.Sub)
		if cur == nil {
			return wire.UserNotFound()
		}
		if tx.CountPasskeys(p.ID, u.Sub) >= userpool.MaxPasskeys {
			return wire.Errorf("LimitExceededException", "The user has %d passkeys, the most Cognito allows.", userpool.MaxPasskeys)
		}
		if tx.Passkey(p.ID, u.Sub, k.CredentialID()) != nil {
			return wire.InvalidParameter("The user has this passkey already.")
		}
		tx.PutPasskey(k)
		return nil
	})
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	if o.pending[key] == reg { // one registration per challenge
		delete(o.pending, key)
	}
	o.mu.Unlock()
	return struct{}{}, nil
}

type credentialOut struct {
	CredentialId            string
	FriendlyCredentialName  string `json:",omitempty"`
	RelyingPartyId          string
	AuthenticatorAttachment string `json:",omitempty"`
	AuthenticatorTransports []string
	CreatedAt               wire.Epoch
}

func (o *ops) list(c *emulator.Call) (any, error) {
	var in struct {
		AccessToken string
		MaxResults  *int
		NextToken   string
	}
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	limit := userpool.MaxPasskeys
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > userpool.MaxPasskeys {
			return nil, wire.InvalidParameter("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and %d", *in.MaxResults, userpool.MaxPasskeys)
		}
		limit = *in.MaxResults
	}
	var out map[string]any
	var aerr *wire.Error
	o.svc.State.View(func(tx *state.Tx) error {
		var p *state.Pool
		var u *state.User
		if p, u, _, aerr = o.caller(tx, in.AccessToken); aerr != nil {
			return nil
		}
		keys := tx.Passkeys(p.ID, u.Sub)
		start := 0
		if in.NextToken != "" {
			start = -1
			if id, err := base64.RawURLEncoding.DecodeString(in.NextToken); err == nil {
				for i, k := range keys {
					if k.CredentialID() == string(id) {
						start = i
					}
				}
			}
			if start < 0 {
				aerr = wire.InvalidParameter("NextToken is not valid (or its passkey was deleted); list again from the start")
				return nil
			}
		}
		creds := []credentialOut{}
		for _, k := range keys[start:min(start+limit, len(keys))] {
			creds = append(creds, credentialOut{CredentialId: k.CredentialID(), FriendlyCredentialName: k.FriendlyName, RelyingPartyId: k.RPID,
				AuthenticatorAttachment: k.Attachment, AuthenticatorTransports: append([]string{}, k.Transports...), CreatedAt: wire.Epoch(k.CreatedAt)})
		}
		out = map[string]any{"Credentials": creds}
		if start+limit < len(keys) {
			out["NextToken"] = base64.RawURLEncoding.EncodeToString([]byte(keys[start+limit].CredentialID()))
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	return out, nil
}

func (o *ops) delete(c *emulator.Call) (any, error) {
	var in struct{ AccessToken, CredentialId string }
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	err := o.svc.State.Update(func(tx *state.Tx) error {
		p, u, _, aerr := o.caller(tx, in.AccessToken)
		if aerr != nil {
			return aerr
		}
		if in.CredentialId == "" {
			return wire.InvalidParameter("Missing required parameter CredentialId")
		}
		k := tx.Passkey(p.ID, u.Sub, in.CredentialId)
		if k == nil {
			return wire.ResourceNotFound("The user has no passkey with this credential ID.")
		}
		tx.DeletePasskey(k)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
