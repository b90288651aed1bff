package userpool

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
)

// Claims that a pre token generation trigger cannot add, change or
// suppress: the emulator ignores such changes (and logs them). Groups
// and roles change through groupOverrideDetails, scopes through
// scopesToAdd and scopesToSuppress.
var (
	reservedID = []string{"acr", "amr", "at_hash", "aud", "auth_time", "azp", "cognito:groups", "cognito:preferred_role",
		"cognito:roles", "cognito:username", "event_id", "exp", "iat", "identities", "iss", "jti", "nbf", "nonce",
		"origin_jti", "sub", "token_use"}
	reservedAccess = []string{"acr", "amr", "aud", "auth_time", "azp", "client_id", "cognito:groups", "device_key",
		"event_id", "exp", "iat", "identities", "iss", "jti", "nbf", "origin_jti", "scope", "sub", "token_use",
		"username", "version"}
	// scalarID are ID token claims whose values must stay scalars.
	scalarID = []string{"address", "email_verified", "phone_number_verified", "updated_at"}
)

// preTokenGeneration runs the pool's pre token generation trigger on the
// tokens and applies its response: V1_0 changes the ID token (and the
// groups), V2_0 and V3_0 both tokens and the scopes. For machine-to-machine
// tokens (no user), only V3_0 runs.
func (pt *PendingTokens) preTokenGeneration(ctx context.Context) error {
	s := pt.svc
	var p *state.Pool
	s.State.View(func(tx *state.Tx) error { p = tx.Pool(pt.poolID); return nil })
	if !HasTrigger(p, TriggerPreTokenGeneration) {
		return nil
	}
	version := p.LambdaConfig.PreTokenGenerationVersion
	if version == "" {
		version = PreTokenV1
	}
	if pt.user == nil && version != PreTokenV3 {
		return nil
	}
	username, attrs := "", map[string]string{}
	if pt.user != nil {
		username, attrs = pt.user.Username, EventAttributes(pt.user)
	}
	h := newHeader(p, pt.trigger, username, Caller{ClientID: pt.client.ID})
	groups := groupConfiguration{GroupsToOverride: nonNilList(pt.groups), IAMRolesToOverride: nonNilList(pt.roles)}
	if pt.role != "" {
		role := pt.role
		groups.PreferredRole = &role
	}
	if version == PreTokenV1 {
		ev := preTokenEventV1{header: h}
		ev.Request.UserAttributes = attrs
		ev.Request.GroupConfiguration = groups
		ev.Request.ClientMetadata = meta(pt.meta)
		var resp events.CognitoEventUserPoolsPreTokenGenResponse
		if _, err := s.run(ctx, p, TriggerPreTokenGeneration, pt.trigger, ev, &resp); err != nil {
			return err
		}
		pt.applyV1(resp)
		return nil
	}
	ev := preTokenEventV2{header: h}
	ev.Version = strings.TrimSuffix(strings.TrimPrefix(version, "V"), "_0")
	ev.Request.UserAttributes = attrs
	ev.Request.Scopes = nonNilList(strings.Fields(scopeOf(pt.Access)))
	ev.Request.GroupConfiguration = groups
	ev.Request.ClientMetadata = meta(pt.meta)
	var resp events.CognitoEventUserPoolsPreTokenGenResponseV2_0
	if _, err := s.run(ctx, p, TriggerPreTokenGeneration, pt.trigger, ev, &resp); err != nil {
		return err
	}
	pt.applyV2(resp)
	return nil
}

// applyV1 applies the response of a V1_0 event: the ID token's claims,
// the groups and roles.
func (pt *PendingTokens) applyV1(resp events.CognitoEventUserPoolsPreTokenGenResponse) {
	d := resp.ClaimsOverrideDetails
	for k, v := range d.ClaimsToAddOrOverride {
		pt.setClaim(pt.ID, reservedID, k, v)
	}
	for _, k := range d.ClaimsToSuppress {
		pt.suppress(pt.ID, reservedID, k)
	}
	g := d.GroupOverrideDetails
	pt.overrideGroups(g.GroupsToOverride, g.IAMRolesToOverride, g.PreferredRole)
}

// applyV2 applies the response of a V2_0 or V3_0 event: both tokens'
// claims, the scopes, the groups and roles (of users' tokens).
func (pt *PendingTokens) applyV2(resp events.CognitoEventUserPoolsPreTokenGenResponseV2_0) {
	d := resp.ClaimsAndScopeOverrideDetails
	if pt.ID != nil {
		for k, v := range d.IDTokenGeneration.ClaimsToAddOrOverride {
			if slices.Contains(scalarID, k) && !scalar(v) {
				pt.svc.Logger().Warn("cognitotest: a PreTokenGeneration response set an object or array as the ID token claim "+k+"; ignored", "claim", k)
				continue
			}
			pt.setClaim(pt.ID, reservedID, k, v)
		}
		for _, k := range d.IDTokenGeneration.ClaimsToSuppress {
			pt.suppress(pt.ID, reservedID, k)
		}
	}
	a := d.AccessTokenGeneration
	for k, v := range a.ClaimsToAddOrOverride {
		pt.setClaim(pt.Access, reservedAccess, k, v)
	}
	for _, k := range a.ClaimsToSuppress {
		pt.suppress(pt.Access, reservedAccess, k)
	}
	pt.changeScopes(a.ScopesToAdd, a.ScopesToSuppress)
	if pt.user != nil {
		g := d.GroupOverrideDetails
		pt.overrideGroups(g.GroupsToOverride, g.IAMRolesToOverride, g.PreferredRole)
	}
}

func nonNilList(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func scopeOf(claims map[string]any) string {
	s, _ := claims["scope"].(string)
	return s
}

func scalar(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}

func (pt *PendingTokens) setClaim(claims map[string]any, reserved []string, k string, v any) {
	switch {
	case claims == nil || v == nil:
	case slices.Contains(reserved, k):
		pt.svc.Logger().Warn("cognitotest: a PreTokenGeneration response changed a claim it cannot change; ignored", "claim", k)
	default:
		claims[k] = v
	}
}

func (pt *PendingTokens) suppress(claims map[string]any, reserved []string, k string) {
	switch {
	case claims == nil:
	case slices.Contains(reserved, k):
		pt.svc.Logger().Warn("cognitotest: a PreTokenGeneration response suppressed a claim it cannot suppress; ignored", "claim", k)
	default:
		delete(claims, k)
	}
}

// changeScopes changes the scope claim of the access token: suppressed
// scopes go, added ones come (scopes with blanks are ignored); an empty
// scope removes the claim.
func (pt *PendingTokens) changeScopes(add, suppress []string) {
	if len(add) == 0 && len(suppress) == 0 {
		return
	}
	scopes := strings.Fields(scopeOf(pt.Access))
	scopes = slices.DeleteFunc(scopes, func(s string) bool { return slices.Contains(suppress, s) })
	for _, sc := range add {
		if sc == "" || strings.ContainsAny(sc, " \t\r\n") {
			pt.svc.Logger().Warn("cognitotest: a PreTokenGeneration response added a scope with blanks; ignored")
			continue
		}
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	if len(scopes) == 0 {
		delete(pt.Access, "scope")
		return
	}
	pt.Access["scope"] = strings.Join(scopes, " ")
}

// overrideGroups applies groupOverrideDetails: a list replaces the groups
// (of both tokens) or the roles (of the ID token), an empty one removes
// them, a missing one (null) keeps them.
func (pt *PendingTokens) overrideGroups(groups, roles []string, preferred *string) {
	set := func(claims map[string]any, k string, v []string) {
		switch {
		case claims == nil:
		case len(v) == 0:
			delete(claims, k)
		default:
			claims[k] = slices.Clone(v)
		}
	}
	if groups != nil {
		set(pt.ID, "cognito:groups", groups)
		set(pt.Access, "cognito:groups", groups)
	}
	if roles != nil {
		set(pt.ID, "cognito:roles", roles)
	}
	if preferred != nil && pt.ID != nil {
		if *preferred == "" {
			delete(pt.ID, "cognito:preferred_role")
		} else {
			pt.ID["cognito:preferred_role"] = *preferred
		}
	}
}
