package pools

import (
	"crypto/sha256"
	"regexp"
	"strconv"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

var (
	// A prefix of the Cognito domain: {prefix}.auth.{region}.amazoncognito.com.
	domainPrefixRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
	// A custom domain: a host name of at least two labels.
	customDomainRE = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
	certificateRE  = regexp.MustCompile(`^arn:[\w+=/,.@-]+:acm:[a-z0-9-]+:\d{12}:certificate/[\w+=/,.@-]{1,128}$`)
)

// CreateDomain gives a pool a domain: a prefix of the Cognito domain
// ("myapp"), or a custom domain ("auth.example.com") with its ACM
// certificate. A pool has at most one of each; a domain belongs to one
// pool. version is the managed-login version: 1 (the classic hosted UI,
// the default) or 2.
//
// The emulator does not route by domain: managed login answers on the
// server's own URL (see cognitotest.Server.OAuthDomain), for the app
// clients of pools that have a domain.
func CreateDomain(svc *userpool.Service, poolID, domain, certificateARN string, version int) error {
	d := &state.Domain{Domain: strings.ToLower(domain), PoolID: poolID, CertificateARN: certificateARN, ManagedLoginVersion: version, CreatedAt: svc.Now()}
	switch {
	case d.Custom() && !customDomainRE.MatchString(d.Domain) || len(d.Domain) > 253:
		return emulator.Invalidf("domain %q: want a prefix (letters, digits and hyphens) or a host name", domain)
	case d.Custom() && !certificateRE.MatchString(certificateARN):
		return emulator.Invalidf("custom domain %q needs the ARN of its ACM certificate (arn:aws:acm:us-east-1:123456789012:certificate/...)", domain)
	case !d.Custom() && !domainPrefixRE.MatchString(d.Domain):
		return emulator.Invalidf("domain prefix %q: want 1 to 63 lower-case letters, digits and hyphens, not starting or ending with a hyphen", domain)
	case !d.Custom() && certificateARN != "":
		return emulator.Invalidf("domain prefix %q: a certificate is for custom domains only", domain)
	case !d.Custom() && (strings.Contains(d.Domain, "aws") || strings.Contains(d.Domain, "amazon") || strings.Contains(d.Domain, "cognito")):
		return emulator.Invalidf("domain prefix %q: Cognito reserves prefixes with aws, amazon or cognito", domain)
	case version != 0 && version != 1 && version != 2:
		return emulator.Invalidf("managed login version %d: want 1 or 2", version)
	}
	if d.ManagedLoginVersion == 0 {
		d.ManagedLoginVersion = 1
	}
	return svc.State.Update(func(tx *state.Tx) error {
		if tx.Pool(poolID) == nil {
			return emulator.NotFoundf("user pool %q", poolID)
		}
		if other := tx.Domain(d.Domain); other != nil {
			return emulator.Existsf("domain %q (of pool %s)", d.Domain, other.PoolID)
		}
		for _, o := range tx.Domains(poolID) {
			if o.Custom() == d.Custom() {
				return emulator.Existsf("pool %s has the domain %q already; a pool has one prefix domain and one custom domain", poolID, o.Domain)
			}
		}
		tx.PutDomain(d)
		return nil
	})
}

// DefaultDomainPrefix returns the prefix domain the emulator gives a
// pool created through its Go API or a seed: the pool ID, lower-cased,
// with "-" for "_" ("us-east-1-abc123").
func DefaultDomainPrefix(poolID string) string {
	return strings.ReplaceAll(strings.ToLower(poolID), "_", "-")
}

// CreateDefaultDomain gives a pool its default prefix domain
// ([DefaultDomainPrefix]; with a number when another pool has it), which
// managed login needs. It does nothing for a pool with a prefix domain.
func CreateDefaultDomain(svc *userpool.Service, poolID string) error {
	return svc.State.Update(func(tx *state.Tx) error {
		if tx.Pool(poolID) == nil {
			return emulator.NotFoundf("user pool %q", poolID)
		}
		for _, d := range tx.Domains(poolID) {
			if !d.Custom() {
				return nil
			}
		}
		prefix := DefaultDomainPrefix(poolID)
		name := prefix
		for i := 2; tx.Domain(name) != nil; i++ {
			name = prefix + "-" + strconv.Itoa(i)
		}
		tx.PutDomain(&state.Domain{Domain: name, PoolID: poolID, ManagedLoginVersion: 1, CreatedAt: svc.Now()})
		return nil
	})
}

// cloudFrontDomain returns the CloudFront distribution Cognito would
// report for a domain: made up, and the same for the same domain.
func cloudFrontDomain(domain string) string {
	sum := sha256.Sum256([]byte(domain))
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 13)
	for i := range b {
		b[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return "d" + string(b) + ".cloudfront.net"
}

type domainWire struct {
	Domain              string
	UserPoolId          string
	ManagedLoginVersion *int32
	CustomDomainConfig  *struct{ CertificateArn string }
}

func (in *domainWire) check() *wire.Error {
	if in.Domain == "" || len(in.Domain) > 253 {
		return wire.InvalidParameter("Domain: 1 to 63 characters for a prefix, up to 253 for a custom domain")
	}
	if v := in.ManagedLoginVersion; v != nil && *v != 1 && *v != 2 {
		return wire.InvalidParameter("ManagedLoginVersion %d: want 1 (the classic hosted UI) or 2 (managed login)", *v)
	}
	return nil
}

func (in *domainWire) certificate() string {
	if in.CustomDomainConfig == nil {
		return ""
	}
	return in.CustomDomainConfig.CertificateArn
}

func domainAnswer(d *state.Domain) map[string]any {
	out := map[string]any{"ManagedLoginVersion": d.ManagedLoginVersion}
	if d.Custom() {
		out["CloudFrontDomain"] = cloudFrontDomain(d.Domain)
	}
	return out
}

func (o *ops) createUserPoolDomain(c *emulator.Call) (any, error) {
	var in domainWire
	if err := c.Decode(&in); err != nil {
		return nil, err
	}
	if aerr := in.check(); aerr != nil {
		return nil, aerr
	}
	var aerr *wire.Error
	o.svc.State.View(func(tx *state.Tx) error {
		_, aerr = userpool.AdminPool(tx, in.UserPoolId)
		if d := tx.Domain(strings.ToLower(in.Domain)); aerr == nil && d != nil {
			aerr = wire.InvalidParameter("Domain already associated with another user pool.")
		}
		return nil
	})
	if aerr != nil {
		return nil, aerr
	}
	version := 0
	if in.ManagedLoginVersion != nil {
		version = int(*in.ManagedLoginVersion)
	}
	if err := CreateDomain(o.svc, in.UserPoolId, in.Domain, in.certificate(), version); err != nil {
		return nil, apiError(err)
	}
	var out map[string]any
	o.svc.State.View(func(tx *state.Tx) error { out = domainAnswer(tx.Domain(strings.ToLower(in.Domain))); return nil })
	return out, nil
}

func (o *ops) describeUserPoolDomain(c *emulator.Call) (any, error) {
	return userpool.Read(o.svc, c, func(tx *state.Tx, in *domainWire) (any, *wire.Error) {
		if aerr := in.check(); aerr != nil {
			return nil, aerr
		}
		d := tx.Domain(strings.ToLower(in.Domain))
		if d == nil {
			return map[string]any{"DomainDescription": map[string]any{}}, nil // Cognito answers an empty description
		}
		out := map[string]any{"UserPoolId": d.PoolID, "AWSAccountId": userpool.AccountID, "Domain": d.Domain,
			"S3Bucket": "aws-cognito-prod-" + o.svc.Region() + "-assets", "CloudFrontDistribution": cloudFrontDomain(d.Domain),
			"Version": d.CreatedAt.UTC().Format("20060102150405"), "Status": "ACTIVE", "ManagedLoginVersion": d.ManagedLoginVersion}
		if d.Custom() {
			out["CustomDomainConfig"] = map[string]string{"CertificateArn": d.CertificateARN}
		}
		return map[string]any{"DomainDescription": out}, nil
	})
}

// poolDomain checks the request and finds the domain of its pool.
func poolDomain(tx *state.Tx, in *domainWire) (*state.Domain, *wire.Error) {
	if aerr := in.check(); aerr != nil {
		return nil, aerr
	}
	if _, aerr := userpool.AdminPool(tx, in.UserPoolId); aerr != nil {
		return nil, aerr
	}
	d := tx.Domain(strings.ToLower(in.Domain))
	if d == nil || d.PoolID != in.UserPoolId {
		return nil, wire.InvalidParameter("No such domain or user pool exists.")
	}
	return d, nil
}

func (o *ops) updateUserPoolDomain(c *emulator.Call) (any, error) {
	return userpool.Write(o.svc, c, func(tx *state.Tx, in *domainWire) (any, error) {
		d, aerr := poolDomain(tx, in)
		if aerr != nil {
			return nil, aerr
		}
		nd := *d
		if cert := in.certificate(); cert != "" {
			if !d.Custom() {
				return nil, wire.InvalidParameter("The domain %s is a prefix domain: only custom domains have a certificate", d.Domain)
			}
			if !certificateRE.MatchString(cert) {
				return nil, wire.InvalidParameter("CertificateArn %q is not the ARN of an ACM certificate", wire.Truncate(cert, 128))
			}
			nd.CertificateARN = cert
		}
		if in.ManagedLoginVersion != nil {
			nd.ManagedLoginVersion = int(*in.ManagedLoginVersion)
		}
		if in.ManagedLoginVersion == nil && in.certificate() == "" {
			return nil, wire.InvalidParameter("UpdateUserPoolDomain needs a ManagedLoginVersion or a CustomDomainConfig to change")
		}
		tx.PutDomain(&nd)
		return domainAnswer(&nd), nil
	})
}

func (o *ops) deleteUserPoolDomain(c *emulator.Call) (any, error) {
	return userpool.Write(o.svc, c, func(tx *state.Tx, in *domainWire) (any, error) {
		d, aerr := poolDomain(tx, in)
		if aerr != nil {
			return nil, aerr
		}
		tx.DeleteDomain(d.Domain)
		return struct{}{}, nil
	})
}
