package userpool

import (
	"encoding/json"
	"net"
	"net/netip"

	"github.com/cognitokit/cognitokit/cognitotest/internal/state"
	"github.com/cognitokit/cognitokit/cognitotest/internal/wire"
)

// BlockedSignIn refuses a sign-in through client from an IP address in
// the BlockedIPRangeList of the risk configuration that applies (the
// client's, or the pool's) when the pool enforces threat protection
// (AdvancedSecurityMode ENFORCED). ip is called only then: it returns the
// address of the user, such as [CallerIP] gives.
func BlockedSignIn(tx *state.Tx, client *state.Client, ip func() string) *wire.Error {
	p := tx.Pool(client.PoolID)
	if p == nil || p.AdvancedSecurity != "ENFORCED" {
		return nil
	}
	r := tx.RiskConfig(p.ID, client.ID)
	if r == nil {
		r = tx.RiskConfig(p.ID, "")
	}
	if r == nil || len(r.BlockedIPRanges) == 0 {
		return nil
	}
	addr, err := netip.ParseAddr(ip())
	if err != nil {
		return nil
	}
	addr = addr.Unmap()
	for _, s := range r.BlockedIPRanges {
		if pfx, err := netip.ParsePrefix(s); err == nil && pfx.Contains(addr) {
			return wire.NotAuthorized("Unable to login because of security reasons.")
		}
	}
	return nil
}

// CallerIP returns the IP address of the user of an API call: the
// ContextData.IpAddress an Admin* call gives for its user, or the
// address the request came from.
func CallerIP(remoteAddr string, body []byte) string {
	var in struct {
		ContextData *struct{ IpAddress string }
	}
	if json.Unmarshal(body, &in) == nil && in.ContextData != nil && in.ContextData.IpAddress != "" {
		return in.ContextData.IpAddress
	}
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}
