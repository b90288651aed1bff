package pools

import (
	"regexp"
	"strings"

	"github.com/cognitokit/cognitokit/cognitotest/internal/emulator"
	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/userpool"
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
// The emulator keeps domains but does not route by them yet: its managed
// login answers on the server's own URL (see cognitotest.Server.OAuthDomain).
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
