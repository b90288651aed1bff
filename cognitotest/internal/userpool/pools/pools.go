package pools

import (
	"errors"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

type ops struct{ svc *userpool.Service }

// Register adds the operations of this package to r. None is public:
// Cognito authorizes them all with IAM.
func Register(r *emulator.Registry, svc *userpool.Service) {
	o := &ops{svc}
	op := func(name string, h emulator.Handler, writes bool) emulator.Op {
		return emulator.Op{Service: emulator.UserPools, Name: name, Handler: h, Writes: writes}
	}
	r.Add(
		op("CreateUserPool", o.createUserPool, true),
		op("DescribeUserPool", o.describeUserPool, false),
		op("DeleteUserPool", o.deleteUserPool, true),
		op("CreateUserPoolClient", o.createUserPoolClient, true),
		op("DescribeUserPoolClient", o.describeUserPoolClient, false),
		op("ListUserPoolClients", o.listUserPoolClients, false),
		op("DeleteUserPoolClient", o.deleteUserPoolClient, true),
		op("CreateResourceServer", o.createResourceServer, true),

		// Pools (issue 14).
		op("ListUserPools", o.listUserPools, false),
		op("UpdateUserPool", o.updateUserPool, true),
		op("AddCustomAttributes", o.addCustomAttributes, true),
		op("GetSigningCertificate", o.getSigningCertificate, false),
		op("GetCSVHeader", o.getCSVHeader, false),
		op("GetLogDeliveryConfiguration", o.getLogDeliveryConfiguration, false),
		op("SetLogDeliveryConfiguration", o.setLogDeliveryConfiguration, true),
		op("DescribeRiskConfiguration", o.describeRiskConfiguration, false),
		op("SetRiskConfiguration", o.setRiskConfiguration, true),
		op("GetUICustomization", o.getUICustomization, false),
		op("SetUICustomization", o.setUICustomization, true),
		op("GetProvisionedLimit", o.getProvisionedLimit, false),
		op("UpdateProvisionedLimit", o.updateProvisionedLimit, true),
		op("TagResource", o.tagResource, true),
		op("UntagResource", o.untagResource, true),
		op("ListTagsForResource", o.listTagsForResource, false),
		// App clients.
		op("UpdateUserPoolClient", o.updateUserPoolClient, true),
		op("AddUserPoolClientSecret", o.addUserPoolClientSecret, true),
		op("DeleteUserPoolClientSecret", o.deleteUserPoolClientSecret, true),
		op("ListUserPoolClientSecrets", o.listUserPoolClientSecrets, false),
		// Domains, branding and terms.
		op("CreateUserPoolDomain", o.createUserPoolDomain, true),
		op("DescribeUserPoolDomain", o.describeUserPoolDomain, false),
		op("UpdateUserPoolDomain", o.updateUserPoolDomain, true),
		op("DeleteUserPoolDomain", o.deleteUserPoolDomain, true),
		op("CreateManagedLoginBranding", o.createManagedLoginBranding, true),
		op("DescribeManagedLoginBranding", o.describeManagedLoginBranding, false),
		op("DescribeManagedLoginBrandingByClient", o.describeManagedLoginBrandingByClient, false),
		op("UpdateManagedLoginBranding", o.updateManagedLoginBranding, true),
		op("DeleteManagedLoginBranding", o.deleteManagedLoginBranding, true),
		op("CreateTerms", o.createTerms, true),
		op("DescribeTerms", o.describeTerms, false),
		op("ListTerms", o.listTerms, false),
		op("UpdateTerms", o.updateTerms, true),
		op("DeleteTerms", o.deleteTerms, true),
		// Resource servers.
		op("DescribeResourceServer", o.describeResourceServer, false),
		op("ListResourceServers", o.listResourceServers, false),
		op("UpdateResourceServer", o.updateResourceServer, true),
		op("DeleteResourceServer", o.deleteResourceServer, true),
		// Replicas.
		op("CreateUserPoolReplica", o.createUserPoolReplica, true),
		op("DeleteUserPoolReplica", o.deleteUserPoolReplica, true),
		op("ListUserPoolReplicas", o.listUserPoolReplicas, false),
		op("UpdateUserPoolReplica", o.updateUserPoolReplica, true),
	)
}

// Cognito's default password policy: 8 characters with upper case, lower
// case, a number and a symbol.
var defaultPasswordPolicy = state.PasswordPolicy{MinimumLength: 8, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true}

// Create creates a pool from draft, whose zero fields get their defaults:
// a random ID in the emulator's region, the name from the ID, MFA OFF,
// PASSWORD as the only first factor, temporary passwords valid 7 days, and
// the password policy policy (nil: Cognito's default). The pool gets a
// signing key. Its LambdaConfig may name URLs (the API checks its own).
func Create(svc *userpool.Service, draft *state.Pool, policy *state.PasswordPolicy) (*state.Pool, error) {
	p := draft.Clone()
	if p.ID == "" {
		p.ID = svc.Region() + "_" + svc.RandString(9, emulator.Alnum)
	}
	m := userpool.PoolIDRE.FindStringSubmatch(p.ID)
	if m == nil {
		return nil, emulator.Invalidf("pool ID %q: want {region}_{letters and digits}, such as us-east-1_AbC123", p.ID)
	}
	for _, a := range p.UsernameAttributes {
		if a != "email" && a != "phone_number" {
			return nil, emulator.Invalidf("UsernameAttributes: %q is not email or phone_number", a)
		}
	}
	for _, a := range p.AliasAttributes {
		if a != "email" && a != "phone_number" && a != "preferred_username" {
			return nil, emulator.Invalidf("AliasAttributes: %q is not email, phone_number or preferred_username", a)
		}
	}
	if len(p.UsernameAttributes) > 0 && len(p.AliasAttributes) > 0 {
		return nil, emulator.Invalidf("UsernameAttributes and AliasAttributes are mutually exclusive")
	}
	for _, a := range p.AutoVerifiedAttributes {
		if a != "email" && a != "phone_number" {
			return nil, emulator.Invalidf("AutoVerifiedAttributes: %q is not email or phone_number", a)
		}
	}
	switch p.MFA {
	case "":
		p.MFA = userpool.MFAOff
	case userpool.MFAOff, userpool.MFAOptional, userpool.MFAOn:
	default:
		return nil, emulator.Invalidf("MFA %q: want OFF, OPTIONAL or ON", p.MFA)
	}
	if p.MFAMethods != nil {
		if msg := userpool.CheckPoolMFA(p.MFAMethods, p.MFA); msg != "" {
			return nil, emulator.Invalidf("MFA configuration: %s", msg)
		}
	}
	switch p.DeviceRemembering {
	case userpool.DevicesOff, userpool.DevicesAlways, userpool.DevicesUserOptIn:
	default:
		return nil, emulator.Invalidf("DeviceRemembering %q: want \"\", ALWAYS or USER_OPT_IN", p.DeviceRemembering)
	}
	if len(p.AllowedFirstAuthFactors) == 0 {
		p.AllowedFirstAuthFactors = []string{"PASSWORD"}
	}
	if err := userpool.CheckLambdaConfig(p.LambdaConfig, true); err != nil {
		return nil, err
	}
	for _, f := range p.AllowedFirstAuthFactors {
		if f != "PASSWORD" && f != "EMAIL_OTP" && f != "SMS_OTP" && f != "WEB_AUTHN" {
			return nil, emulator.Invalidf("AllowedFirstAuthFactors: %q is not PASSWORD, EMAIL_OTP, SMS_OTP or WEB_AUTHN", f)
		}
	}
	p.PasswordPolicy = defaultPasswordPolicy
	if policy != nil {
		p.PasswordPolicy = *policy
		if p.PasswordPolicy.MinimumLength == 0 {
			p.PasswordPolicy.MinimumLength = 8
		}
		if n := p.PasswordPolicy.MinimumLength; n < 6 || n > 99 {
			return nil, emulator.Invalidf("PasswordPolicy.MinimumLength %d: want 6 to 99", n)
		}
	}
	if p.TemporaryPasswordValidity == 0 {
		p.TemporaryPasswordValidity = 7 * 24 * time.Hour
	}
	if p.Name == "" {
		p.Name = m[3]
	}
	now := svc.Now()
	p.CreatedAt, p.ModifiedAt = now, now
	p.KeySeq = 1
	p.Secret = svc.NewPoolSecret()
	// The first signing key: a ready one, or one generated in the
	// background after the pool is created (see userpool.StartKey).
	key, err := svc.ReadySigningKey(p.ID)
	if err != nil {
		return nil, err
	}
	err = svc.State.Update(func(tx *state.Tx) error {
		if tx.Pool(p.ID) != nil {
			return emulator.Existsf("user pool %q", p.ID)
		}
		tx.PutPool(p)
		if key != nil {
			tx.PutSigningKey(key)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if key == nil {
		svc.StartKey(p.ID)
	}
	return p, nil
}

// RotateKeys adds a signing key to a pool; with retireOld, the previous
// keys go. It returns the kid of the new key.
func RotateKeys(svc *userpool.Service, poolID string, retireOld bool) (string, error) {
	svc.WaitKey(poolID) // the new key comes after the first
	var seq int
	svc.State.View(func(tx *state.Tx) error {
		if p := tx.Pool(poolID); p != nil {
			seq = p.KeySeq + 1
		}
		return nil
	})
	if seq == 0 {
		return "", emulator.NotFoundf("user pool %q", poolID)
	}
	key, err := svc.NewSigningKey(poolID, seq)
	if err != nil {
		return "", err
	}
	err = svc.State.Update(func(tx *state.Tx) error {
		p := tx.Pool(poolID)
		if p == nil {
			return emulator.NotFoundf("user pool %q", poolID)
		}
		if p.KeySeq >= key.Seq { // another rotation came first
			key.Seq = p.KeySeq + 1
		}
		np := p.Clone()
		np.KeySeq = key.Seq
		tx.PutPool(np)
		if retireOld {
			for _, k := range tx.SigningKeys(poolID) {
				tx.DeleteSigningKey(k)
			}
		}
		tx.PutSigningKey(key)
		return nil
	})
	if err != nil {
		return "", err
	}
	return key.KID, nil
}

type passwordPolicyWire struct {
	MinimumLength                 int32
	RequireUppercase              bool
	RequireLowercase              bool
	RequireNumbers                bool
	RequireSymbols                bool
	TemporaryPasswordValidityDays int32 `json:",omitempty"`
}

// poolWireConfig is the request of CreateUserPool: the settings it shares
// with UpdateUserPool, and those set at creation only.
type poolWireConfig struct {
	poolSettingsWire
	UsernameAttributes    []string
	AliasAttributes       []string
	UsernameConfiguration *struct{ CaseSensitive *bool }
	Schema                []schemaAttributeWire
}

func (o *ops) createUserPool(c *emulator.Call) (any, error) {
	var in poolWireConfig
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.PoolName == nil || *in.PoolName == "" || len(*in.PoolName) > 128 {
		return nil, wire.InvalidParameter("PoolName must be 1 to 128 characters")
	}
	draft := &state.Pool{Name: *in.PoolName, UsernameAttributes: in.UsernameAttributes, AliasAttributes: in.AliasAttributes, CaseSensitiveUsernames: true}
	if in.UsernameConfiguration != nil && in.UsernameConfiguration.CaseSensitive != nil {
		draft.CaseSensitiveUsernames = *in.UsernameConfiguration.CaseSensitive
	}
	if aerr := applySettings(draft, &in.poolSettingsWire); aerr != nil {
		return nil, aerr
	}
	if aerr := applySchema(draft, in.Schema); aerr != nil {
		return nil, aerr
	}
	p, err := Create(o.svc, draft, &draft.PasswordPolicy)
	if err != nil {
		return nil, wire.InvalidParameter("%s", emulator.Detail(err))
	}
	var out map[string]any
	o.svc.State.View(func(tx *state.Tx) error { out = poolOut(tx, p); return nil })
	return map[string]any{"UserPool": out}, nil
}

// updateUserPool serves UpdateUserPool: every setting it does not give
// returns to its default, as in Cognito.
func (o *ops) updateUserPool(c *emulator.Call) (any, error) {
	var in poolSettingsWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if in.PoolName != nil && (*in.PoolName == "" || len(*in.PoolName) > 128) {
		return nil, wire.InvalidParameter("PoolName must be 1 to 128 characters")
	}
	err := o.svc.State.Update(func(tx *state.Tx) error {
		p, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return aerr
		}
		np := p.Clone()
		if aerr := applySettings(np, &in); aerr != nil {
			return aerr
		}
		if in.PoolName != nil {
			np.Name = *in.PoolName
		}
		np.ModifiedAt = o.svc.Now()
		tx.PutPool(np)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func poolOut(tx *state.Tx, p *state.Pool) map[string]any {
	pol := p.PasswordPolicy
	out := map[string]any{
		"Id":               p.ID,
		"Name":             p.Name,
		"Arn":              PoolARN(p),
		"CreationDate":     wire.Epoch(p.CreatedAt),
		"LastModifiedDate": wire.Epoch(p.ModifiedAt),
		"MfaConfiguration": p.MFA,
		"Status":           "Enabled",
		"Policies": map[string]any{
			"PasswordPolicy": passwordPolicyWire{MinimumLength: int32(pol.MinimumLength), RequireUppercase: pol.RequireUppercase,
				RequireLowercase: pol.RequireLowercase, RequireNumbers: pol.RequireNumbers, RequireSymbols: pol.RequireSymbols,
				TemporaryPasswordValidityDays: int32(p.TemporaryPasswordValidity / (24 * time.Hour))},
			"SignInPolicy": map[string]any{"AllowedFirstAuthFactors": p.AllowedFirstAuthFactors},
		},
		"UsernameConfiguration":  map[string]bool{"CaseSensitive": p.CaseSensitiveUsernames},
		"EstimatedNumberOfUsers": tx.UserCount(p.ID),
		"LambdaConfig":           userpool.LambdaConfigOut(p.LambdaConfig),
	}
	if len(p.UsernameAttributes) > 0 {
		out["UsernameAttributes"] = p.UsernameAttributes
	}
	if len(p.AliasAttributes) > 0 {
		out["AliasAttributes"] = p.AliasAttributes
	}
	if len(p.AutoVerifiedAttributes) > 0 {
		out["AutoVerifiedAttributes"] = p.AutoVerifiedAttributes
	}
	if p.DeviceRemembering != userpool.DevicesOff {
		out["DeviceConfiguration"] = map[string]bool{
			"ChallengeRequiredOnNewDevice":     p.ChallengeRequiredOnNewDevice,
			"DeviceOnlyRememberedOnUserPrompt": p.DeviceRemembering == userpool.DevicesUserOptIn,
		}
	}
	settingsOut(tx, p, out)
	return out
}

// PoolARN returns the ARN of a user pool.
func PoolARN(p *state.Pool) string {
	return "arn:aws:cognito-idp:" + p.Region() + ":" + userpool.AccountID + ":userpool/" + p.ID
}

func (o *ops) describeUserPool(c *emulator.Call) (any, error) {
	return o.readPool(c, func(tx *state.Tx, p *state.Pool) map[string]any {
		return map[string]any{"UserPool": poolOut(tx, p)}
	})
}

func (o *ops) deleteUserPool(c *emulator.Call) (any, error) {
	return userpool.Write(o.svc, c, func(tx *state.Tx, in *poolIDWire) (any, error) {
		p, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return nil, aerr
		}
		if p.DeletionProtection {
			return nil, wire.InvalidParameter("The user pool %s has deletion protection activated; deactivate it with UpdateUserPool (DeletionProtection INACTIVE) first", p.ID)
		}
		tx.DeletePool(p.ID)
		return struct{}{}, nil
	})
}

// listUserPools serves ListUserPools: the pools in ID order, MaxResults
// (1 to 60, required) at a time.
func (o *ops) listUserPools(c *emulator.Call) (any, error) {
	return userpool.Read(o.svc, c, func(tx *state.Tx, in *listUserPoolsWire) (any, *wire.Error) {
		if in.MaxResults == nil || *in.MaxResults < 1 || *in.MaxResults > 60 {
			return nil, wire.InvalidParameter("1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 60")
		}
		return userpool.List("UserPools", tx.Pools(), *in.MaxResults, in.NextToken, 60, func(p *state.Pool) map[string]any {
			d := map[string]any{"Id": p.ID, "Name": p.Name, "Status": "Enabled", "CreationDate": wire.Epoch(p.CreatedAt),
				"LastModifiedDate": wire.Epoch(p.ModifiedAt), "LambdaConfig": userpool.LambdaConfigOut(p.LambdaConfig)}
			if len(p.Replicas) > 0 {
				var regions []string
				for _, r := range p.Replicas {
					regions = append(regions, r.Region)
				}
				d["ReplicaRegions"] = regions
			}
			return d
		})
	})
}

// apiError turns an error of the Go API into an InvalidParameterException,
// leaving API errors as they are.
func apiError(err error) error {
	var we *wire.Error
	if errors.As(err, &we) {
		return we
	}
	return wire.InvalidParameter("%s", emulator.Detail(err))
}

// poolIDWire is the input of the operations that name only a pool.
type poolIDWire struct{ UserPoolId string }

type listUserPoolsWire struct {
	MaxResults *int32
	NextToken  string
}

// checkPool answers AdminPool's error for the pool named, for an
// operation that then works through the Go API.
func (o *ops) checkPool(poolID string) *wire.Error {
	var aerr *wire.Error
	o.svc.State.View(func(tx *state.Tx) error { _, aerr = userpool.AdminPool(tx, poolID); return nil })
	return aerr
}

// readPool answers an operation that names only a pool with what answer
// makes of the pool.
func (o *ops) readPool(c *emulator.Call, answer func(tx *state.Tx, p *state.Pool) map[string]any) (any, error) {
	return userpool.Read(o.svc, c, func(tx *state.Tx, in *poolIDWire) (any, *wire.Error) {
		p, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return nil, aerr
		}
		return answer(tx, p), nil
	})
}
