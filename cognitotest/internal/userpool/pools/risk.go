package pools

import (
	"encoding/json"
	"net/netip"
	"slices"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

const maxIPRanges = 200

type notifyEmailWire struct {
	Subject  string
	HtmlBody string `json:",omitempty"`
	TextBody string `json:",omitempty"`
}

type accountTakeoverWire struct {
	NotifyConfiguration *struct {
		SourceArn     string
		From          string           `json:",omitempty"`
		ReplyTo       string           `json:",omitempty"`
		BlockEmail    *notifyEmailWire `json:",omitempty"`
		MfaEmail      *notifyEmailWire `json:",omitempty"`
		NoActionEmail *notifyEmailWire `json:",omitempty"`
	} `json:",omitempty"`
	Actions *struct {
		LowAction, MediumAction, HighAction *struct {
			Notify      bool
			EventAction string
		} `json:",omitempty"`
	}
}

type compromisedCredentialsWire struct {
	EventFilter []string `json:",omitempty"`
	Actions     *struct{ EventAction string }
}

type riskWire struct {
	UserPoolId                              string
	ClientId                                string
	AccountTakeoverRiskConfiguration        *accountTakeoverWire
	CompromisedCredentialsRiskConfiguration *compromisedCredentialsWire
	RiskExceptionConfiguration              *struct {
		BlockedIPRangeList []string
		SkippedIPRangeList []string
	}
}

func checkRanges(field string, list []string) *wire.Error {
	if len(list) > maxIPRanges {
		return wire.InvalidParameter("%s: at most %d ranges", field, maxIPRanges)
	}
	for _, r := range list {
		if _, err := netip.ParsePrefix(r); err != nil {
			return wire.InvalidParameter("%s: %q is not an IP range in CIDR notation", field, wire.Truncate(r, 64))
		}
	}
	return nil
}

// setRiskConfiguration serves SetRiskConfiguration, for the pool or one
// app client (which then has its own configuration instead of the
// pool's). Threat protection must be on (AdvancedSecurityMode AUDIT or
// ENFORCED). With ENFORCED, sign-ins from the BlockedIPRangeList are
// refused; the rest of the configuration is kept and reported, since the
// emulator does not score risk.
func (o *ops) setRiskConfiguration(c *emulator.Call) (any, error) {
	var in riskWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	r := &state.RiskConfig{}
	if at := in.AccountTakeoverRiskConfiguration; at != nil {
		if at.Actions == nil {
			return nil, wire.InvalidParameter("AccountTakeoverRiskConfiguration needs Actions")
		}
		for _, a := range []*struct {
			Notify      bool
			EventAction string
		}{at.Actions.LowAction, at.Actions.MediumAction, at.Actions.HighAction} {
			if a != nil && !slices.Contains([]string{"BLOCK", "MFA_IF_CONFIGURED", "MFA_REQUIRED", "NO_ACTION"}, a.EventAction) {
				return nil, wire.InvalidParameter("EventAction %q: want BLOCK, MFA_IF_CONFIGURED, MFA_REQUIRED or NO_ACTION", wire.Truncate(a.EventAction, 32))
			}
			if a != nil && a.Notify && at.NotifyConfiguration == nil {
				return nil, wire.InvalidParameter("Notify needs a NotifyConfiguration")
			}
		}
		if n := at.NotifyConfiguration; n != nil && (!arnRE.MatchString(n.SourceArn) || !containsSES(n.SourceArn)) {
			return nil, wire.InvalidParameter("NotifyConfiguration.SourceArn %q is not the ARN of an Amazon SES identity", wire.Truncate(n.SourceArn, 128))
		}
		r.AccountTakeover, _ = json.Marshal(at)
	}
	if cc := in.CompromisedCredentialsRiskConfiguration; cc != nil {
		if cc.Actions == nil || (cc.Actions.EventAction != "BLOCK" && cc.Actions.EventAction != "NO_ACTION") {
			return nil, wire.InvalidParameter("CompromisedCredentialsRiskConfiguration.Actions.EventAction: want BLOCK or NO_ACTION")
		}
		for _, f := range cc.EventFilter {
			if f != "SIGN_IN" && f != "PASSWORD_CHANGE" && f != "SIGN_UP" {
				return nil, wire.InvalidParameter("EventFilter %q: want SIGN_IN, PASSWORD_CHANGE or SIGN_UP", wire.Truncate(f, 32))
			}
		}
		r.CompromisedCredentials, _ = json.Marshal(cc)
	}
	if re := in.RiskExceptionConfiguration; re != nil {
		if aerr := checkRanges("BlockedIPRangeList", re.BlockedIPRangeList); aerr != nil {
			return nil, aerr
		}
		if aerr := checkRanges("SkippedIPRangeList", re.SkippedIPRangeList); aerr != nil {
			return nil, aerr
		}
		r.BlockedIPRanges, r.SkippedIPRanges = slices.Clone(re.BlockedIPRangeList), slices.Clone(re.SkippedIPRangeList)
	}
	var out map[string]any
	err := o.svc.State.Update(func(tx *state.Tx) error {
		p, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return aerr
		}
		if in.ClientId != "" {
			if _, aerr := poolClient(tx, &clientWire{UserPoolId: p.ID, ClientId: in.ClientId}); aerr != nil {
				return aerr
			}
		}
		if p.AdvancedSecurity == "" {
			return wire.Errorf("UserPoolAddOnNotEnabledException", "Threat protection is not enabled for the user pool %s: set UserPoolAddOns.AdvancedSecurityMode to AUDIT or ENFORCED (PLUS tier)", p.ID)
		}
		r.PoolID, r.ClientID, r.ModifiedAt = p.ID, in.ClientId, o.svc.Now()
		tx.PutRiskConfig(r)
		out = riskOut(r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"RiskConfiguration": out}, nil
}

func containsSES(arn string) bool { return strings.Contains(arn, ":ses:") }

func riskOut(r *state.RiskConfig) map[string]any {
	out := map[string]any{"UserPoolId": r.PoolID, "LastModifiedDate": wire.Epoch(r.ModifiedAt)}
	if r.ClientID != "" {
		out["ClientId"] = r.ClientID
	}
	if r.AccountTakeover != nil {
		out["AccountTakeoverRiskConfiguration"] = r.AccountTakeover
	}
	if r.CompromisedCredentials != nil {
		out["CompromisedCredentialsRiskConfiguration"] = r.CompromisedCredentials
	}
	if r.BlockedIPRanges != nil || r.SkippedIPRanges != nil {
		out["RiskExceptionConfiguration"] = map[string][]string{"BlockedIPRangeList": nonNil(r.BlockedIPRanges), "SkippedIPRangeList": nonNil(r.SkippedIPRanges)}
	}
	return out
}

// describeRiskConfiguration serves DescribeRiskConfiguration: the app
// client's configuration, or the pool's.
func (o *ops) describeRiskConfiguration(c *emulator.Call) (any, error) {
	return userpool.Read(o.svc, c, func(tx *state.Tx, in *riskWire) (any, *wire.Error) {
		p, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return nil, aerr
		}
		if in.ClientId != "" {
			if _, aerr := poolClient(tx, &clientWire{UserPoolId: p.ID, ClientId: in.ClientId}); aerr != nil {
				return nil, aerr
			}
		}
		r := tx.RiskConfig(p.ID, in.ClientId)
		if r == nil && in.ClientId != "" {
			r = tx.RiskConfig(p.ID, "")
		}
		if r == nil {
			out := map[string]any{"UserPoolId": p.ID}
			if in.ClientId != "" {
				out["ClientId"] = in.ClientId
			}
			return map[string]any{"RiskConfiguration": out}, nil
		}
		return map[string]any{"RiskConfiguration": riskOut(r)}, nil
	})
}
