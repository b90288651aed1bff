package pools

import (
	"maps"
	"regexp"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// Cognito's limits on terms documents.
const (
	MaxTerms      = 40 // per pool
	maxTermsLinks = 12
)

var (
	termsNameRE = regexp.MustCompile(`^(terms-of-use|privacy-policy)[\w+=,.@-]{0,18}$`)
	termsLangRE = regexp.MustCompile(`^cognito:(default|[a-z][a-z()-]{1,30})$`)
)

type termsWire struct {
	UserPoolId  string
	ClientId    string
	TermsId     string
	TermsName   *string
	TermsSource *string
	Enforcement *string
	Links       map[string]string
	MaxResults  int32
	NextToken   string
}

// check checks the fields of the request that it gives.
func (in *termsWire) check() *wire.Error {
	if n := in.TermsName; n != nil && !termsNameRE.MatchString(*n) {
		return wire.InvalidParameter("TermsName %q must begin with terms-of-use or privacy-policy (at most 32 characters)", wire.Truncate(*n, 64))
	}
	if s := in.TermsSource; s != nil && *s != "LINK" {
		return wire.InvalidParameter("TermsSource %q: want LINK", wire.Truncate(*s, 32))
	}
	if e := in.Enforcement; e != nil && *e != "NONE" {
		return wire.InvalidParameter("Enforcement %q: want NONE", wire.Truncate(*e, 32))
	}
	if len(in.Links) > maxTermsLinks {
		return wire.InvalidParameter("Links: at most %d languages", maxTermsLinks)
	}
	for lang, u := range in.Links {
		if !termsLangRE.MatchString(lang) {
			return wire.InvalidParameter("Links: %q is not a language key such as cognito:default or cognito:spanish", wire.Truncate(lang, 64))
		}
		if aerr := checkRedirectURL("Links", u); aerr != nil || !strings.HasPrefix(u, "http") {
			return wire.InvalidParameter("Links: %q is not an https URL", wire.Truncate(u, 128))
		}
	}
	return nil
}

func termsOut(t *state.Terms) map[string]any {
	return map[string]any{"TermsId": t.ID, "UserPoolId": t.PoolID, "ClientId": t.ClientID, "TermsName": t.Name, "TermsSource": t.Source,
		"Enforcement": t.Enforcement, "Links": nonNilMap(t.Links), "CreationDate": wire.Epoch(t.CreatedAt), "LastModifiedDate": wire.Epoch(t.ModifiedAt)}
}

func (o *ops) createTerms(c *emulator.Call) (any, error) {
	return userpool.Write(o.svc, c, func(tx *state.Tx, in *termsWire) (any, error) {
		switch {
		case in.TermsName == nil:
			return nil, wire.InvalidParameter("Missing required parameter TermsName")
		case in.TermsSource == nil:
			return nil, wire.InvalidParameter("Missing required parameter TermsSource")
		case in.Enforcement == nil:
			return nil, wire.InvalidParameter("Missing required parameter Enforcement")
		}
		if aerr := in.check(); aerr != nil {
			return nil, aerr
		}
		cl, aerr := poolClient(tx, &clientWire{UserPoolId: in.UserPoolId, ClientId: in.ClientId})
		if aerr != nil {
			return nil, aerr
		}
		all := tx.TermsOf(cl.PoolID)
		for _, t := range all {
			if t.ClientID == cl.ID && t.Name == *in.TermsName {
				return nil, wire.Errorf("TermsExistsException", "The app client %s has terms named %s already", cl.ID, t.Name)
			}
		}
		if len(all) >= MaxTerms {
			return nil, wire.Errorf("LimitExceededException", "The user pool %s has %d terms documents, the most it can have", cl.PoolID, MaxTerms)
		}
		now := o.svc.Now()
		t := &state.Terms{PoolID: cl.PoolID, ID: o.svc.UUID(), ClientID: cl.ID, Name: *in.TermsName, Source: *in.TermsSource,
			Enforcement: *in.Enforcement, Links: maps.Clone(in.Links), CreatedAt: now, ModifiedAt: now}
		tx.PutTerms(t)
		return map[string]any{"Terms": termsOut(t)}, nil
	})
}

// poolTerms finds a terms document of the request's pool.
func poolTerms(tx *state.Tx, in *termsWire) (*state.Terms, *wire.Error) {
	if _, aerr := userpool.AdminPool(tx, in.UserPoolId); aerr != nil {
		return nil, aerr
	}
	if in.TermsId == "" {
		return nil, wire.InvalidParameter("Missing required parameter TermsId")
	}
	t := tx.Terms(in.UserPoolId, in.TermsId)
	if t == nil {
		return nil, wire.ResourceNotFound("Terms %s do not exist.", wire.Truncate(in.TermsId, 64))
	}
	return t, nil
}

func (o *ops) describeTerms(c *emulator.Call) (any, error) {
	return userpool.Read(o.svc, c, func(tx *state.Tx, in *termsWire) (any, *wire.Error) {
		t, aerr := poolTerms(tx, in)
		if aerr != nil {
			return nil, aerr
		}
		return map[string]any{"Terms": termsOut(t)}, nil
	})
}

func (o *ops) listTerms(c *emulator.Call) (any, error) {
	return userpool.Read(o.svc, c, func(tx *state.Tx, in *termsWire) (any, *wire.Error) {
		p, aerr := userpool.AdminPool(tx, in.UserPoolId)
		if aerr != nil {
			return nil, aerr
		}
		return userpool.List("Terms", tx.TermsOf(p.ID), in.MaxResults, in.NextToken, 20, func(t *state.Terms) map[string]any {
			return map[string]any{"TermsId": t.ID, "TermsName": t.Name, "Enforcement": t.Enforcement,
				"CreationDate": wire.Epoch(t.CreatedAt), "LastModifiedDate": wire.Epoch(t.ModifiedAt)}
		})
	})
}

// updateTerms serves UpdateTerms: the fields it gives replace the
// document's.
func (o *ops) updateTerms(c *emulator.Call) (any, error) {
	return userpool.Write(o.svc, c, func(tx *state.Tx, in *termsWire) (any, error) {
		if aerr := in.check(); aerr != nil {
			return nil, aerr
		}
		t, aerr := poolTerms(tx, in)
		if aerr != nil {
			return nil, aerr
		}
		nt := t.Clone()
		if in.TermsName != nil && *in.TermsName != t.Name {
			for _, other := range tx.TermsOf(t.PoolID) {
				if other.ClientID == t.ClientID && other.Name == *in.TermsName {
					return nil, wire.Errorf("TermsExistsException", "The app client %s has terms named %s already", t.ClientID, other.Name)
				}
			}
			nt.Name = *in.TermsName
		}
		if in.TermsSource != nil {
			nt.Source = *in.TermsSource
		}
		if in.Enforcement != nil {
			nt.Enforcement = *in.Enforcement
		}
		if in.Links != nil {
			nt.Links = maps.Clone(in.Links)
		}
		nt.ModifiedAt = o.svc.Now()
		tx.PutTerms(nt)
		return map[string]any{"Terms": termsOut(nt)}, nil
	})
}

func (o *ops) deleteTerms(c *emulator.Call) (any, error) {
	return userpool.Write(o.svc, c, func(tx *state.Tx, in *termsWire) (any, error) {
		t, aerr := poolTerms(tx, in)
		if aerr != nil {
			return nil, aerr
		}
		tx.DeleteTerms(t)
		return struct{}{}, nil
	})
}

// PutTerms stores a terms document given as a record (a seed's), checked
// as CreateTerms checks it; an empty ID gets a random one.
func PutTerms(svc *userpool.Service, t *state.Terms) error {
	t.Enforcement, t.Source = "NONE", "LINK"
	in := termsWire{TermsName: &t.Name, Links: t.Links}
	if aerr := in.check(); aerr != nil {
		return aerr
	}
	return svc.State.Update(func(tx *state.Tx) error {
		if _, aerr := poolClient(tx, &clientWire{UserPoolId: t.PoolID, ClientId: t.ClientID}); aerr != nil {
			return aerr
		}
		if t.ID == "" {
			t.ID = svc.UUID()
		}
		for _, other := range tx.TermsOf(t.PoolID) {
			if other.ID == t.ID || other.ClientID == t.ClientID && other.Name == t.Name {
				return emulator.Existsf("terms %s of app client %s", t.Name, t.ClientID)
			}
		}
		if len(tx.TermsOf(t.PoolID)) >= MaxTerms {
			return emulator.Invalidf("a user pool has at most %d terms documents", MaxTerms)
		}
		t.CreatedAt = svc.Now()
		t.ModifiedAt = t.CreatedAt
		tx.PutTerms(t)
		return nil
	})
}
