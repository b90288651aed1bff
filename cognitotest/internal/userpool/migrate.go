package userpool

import (
	"context"
	"errors"
	"maps"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// Migration describes a sign-in or a password reset of a user the pool
// does not have, for the UserMigration trigger.
type Migration struct {
	Source string // "UserMigration_Authentication" or "UserMigration_ForgotPassword"
	Caller Caller
	// Username is the name the user gave, which becomes the username
	// (in pools with UsernameAttributes, the email address or phone
	// number, and the username is a new sub).
	Username string
	// Password is the password the user gave (sign-in only). The pool's
	// password policy does not apply to it.
	Password string
	// ValidationData is the ClientMetadata of a sign-in, passed as the
	// event's validationData.
	ValidationData map[string]string
}

// ErrNotMigrated: the UserMigration trigger answered without
// userAttributes, so the user is not created; the operation answers as
// for an unknown user.
var ErrNotMigrated = errors.New("userpool: the user migration trigger did not migrate the user")

// MigrateUser runs the pool's UserMigration trigger for a user the pool
// does not have and creates the user it answers: with the given password
// (sign-in) and the status finalUserStatus (CONFIRMED, the default, or
// RESET_REQUIRED), or without a password in status RESET_REQUIRED
// (password reset). It returns nil, nil when the pool has no trigger,
// [ErrNotMigrated] when the trigger migrated no one, and Cognito's errors
// for a failing trigger or an answer that does not fit. The welcome
// message (messageAction) is not sent.
func (s *Service) MigrateUser(ctx context.Context, p *state.Pool, m Migration) (*state.User, error) {
	if !HasTrigger(p, TriggerUserMigration) {
		return nil, nil
	}
	ev := migrationEvent{header: newHeader(p, m.Source, m.Username, m.Caller)}
	if m.Source == "UserMigration_Authentication" {
		pw := m.Password
		ev.Request.Password = &pw
	}
	ev.Request.ValidationData = meta(m.ValidationData)
	if m.Source != "UserMigration_Authentication" {
		ev.Request.ClientMetadata = meta(m.Caller.Metadata)
	}
	var resp migrationResponse
	if _, err := s.run(ctx, p, TriggerUserMigration, m.Source, ev, &resp); err != nil {
		return nil, err
	}
	if len(resp.UserAttributes) == 0 {
		return nil, ErrNotMigrated
	}
	if len(resp.UserAttributes) > 64 {
		return nil, errUnrecognizable
	}
	status := StatusConfirmed
	switch resp.FinalUserStatus {
	case "", StatusConfirmed:
	case StatusResetRequired:
		status = StatusResetRequired
	default:
		return nil, errUnrecognizable
	}
	switch resp.MessageAction {
	case "", "SUPPRESS", "RESEND":
	default:
		return nil, errUnrecognizable
	}
	for _, d := range resp.DesiredDeliveryMediums {
		if d != "EMAIL" && d != "SMS" {
			return nil, errUnrecognizable
		}
	}
	attrs := maps.Clone(resp.UserAttributes)
	for k, v := range attrs {
		if k == "sub" || strings.HasPrefix(k, "cognito:") {
			return nil, wire.InvalidParameter("UserMigration may not set the attribute %s", wire.Truncate(k, 64))
		}
		if msg := ValidateAttr(k, v); msg != "" {
			return nil, wire.InvalidParameter("%s", msg)
		}
	}
	if msg := CheckSchema(p, attrs, false); msg != "" {
		return nil, wire.InvalidParameter("%s", msg)
	}
	sub := s.UUID()
	username := m.Username
	if len(p.UsernameAttributes) > 0 {
		switch {
		case HasString(p.UsernameAttributes, "email") && EmailRE.MatchString(m.Username) && attrs["email"] == "":
			attrs["email"] = m.Username
		case HasString(p.UsernameAttributes, "phone_number") && PhoneRE.MatchString(m.Username) && attrs["phone_number"] == "":
			attrs["phone_number"] = m.Username
		}
		username = sub
	}
	if !UsernameRE.MatchString(username) {
		return nil, wire.InvalidParameter("Username must be 1 to 128 printable characters without spaces")
	}
	now := s.Now()
	u := &state.User{PoolID: p.ID, Username: username, Sub: sub, Attributes: attrs, Status: status, Enabled: true,
		CreatedAt: now, ModifiedAt: now, SMSMFA: resp.EnableSMSMFA && attrs["phone_number"] != ""}
	if m.Source == "UserMigration_Authentication" {
		salt, v := s.PasswordSecrets(p, username, m.Password)
		SetPassword(u, salt, v)
	} else {
		u.Status = StatusResetRequired
	}
	err := s.State.Update(func(tx *state.Tx) error {
		cur := tx.Pool(p.ID)
		if cur == nil {
			return wire.ResourceNotFound("User pool %s does not exist.", p.ID)
		}
		if LookupUser(tx, cur, m.Username) != nil || tx.User(cur, username) != nil {
			return wire.Errorf("UsernameExistsException", "User account already exists")
		}
		if tx.UserCount(cur.ID) >= MaxUsersPerPool {
			return wire.Errorf("LimitExceededException", "The user pool has reached the emulator's limit of %d users.", MaxUsersPerPool)
		}
		if err := CheckUnique(tx, cur, u, ""); err != nil {
			// The username and sub are new: the collision is an email or
			// phone number, which forceAliasCreation takes from others in
			// alias pools.
			if !resp.ForceAliasCreation || len(cur.UsernameAttributes) > 0 {
				return wire.Errorf("AliasExistsException", "An account with the given email or phone number already exists.")
			}
			s.takeAliases(tx, cur, u)
		}
		tx.PutUser(cur, u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// takeAliases moves the email and phone aliases of u from the users that
// have them (forceAliasCreation): their attribute becomes unverified, so
// it is no alias.
func (s *Service) takeAliases(tx *state.Tx, p *state.Pool, u *state.User) {
	for _, a := range p.AliasAttributes {
		v, ok := u.Attributes[a]
		if !ok || a == "preferred_username" {
			continue
		}
		for {
			other := tx.FindUser(p.ID, func(o *state.User) bool {
				return o.Sub != u.Sub && strings.EqualFold(o.Attributes[a], v) && o.Attributes[a+"_verified"] == "true"
			})
			if other == nil {
				break
			}
			no := other.Clone()
			no.Attributes[a+"_verified"] = "false"
			no.ModifiedAt = s.Now()
			tx.PutUser(p, no)
		}
	}
}
