package alb

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/cognitokit/cognitokit/verifier"
)

const maxHeaderMembers = 16

// parseHeader parses the decoded protected header strictly: a JSON object
// whose member names are unique even ignoring case, the members the ALB
// writes with their types, and none of the members that would let a token
// choose its key. Unknown members are ignored.
func parseHeader(b []byte) (header, error) {
	var h header
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return h, reject(verifier.ErrMalformed, "the header is not a JSON object")
	}
	var names [maxHeaderMembers]string
	n := 0
	var hasAlg, hasKid, hasSigner, hasClient, hasIss bool
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return h, reject(verifier.ErrMalformed, "the header is not valid JSON")
		}
		name, _ := t.(string)
		for _, seen := range names[:n] {
			if strings.EqualFold(seen, name) {
				return h, reject(verifier.ErrMalformed, "the header repeats a member name, exactly or in another case; refusing to guess which one counts")
			}
		}
		if n == len(names) {
			return h, reject(verifier.ErrMalformed, "the header has too many members")
		}
		names[n] = name
		n++
		var dst *string
		switch name {
		case "alg":
			dst, hasAlg = &h.alg, true
		case "kid":
			dst, hasKid = &h.kid, true
		case "signer":
			dst, hasSigner = &h.signer, true
		case "client":
			dst, hasClient = &h.client, true
		case "iss":
			dst, hasIss = &h.iss, true
		case "typ":
			dst = &h.typ
		case "exp":
			var num json.RawMessage
			if err := dec.Decode(&num); err != nil || len(num) == 0 || num[0] < '0' || num[0] > '9' {
				return h, reject(verifier.ErrMalformed, "the header's exp is not a number")
			}
			exp, err := strconv.ParseInt(string(num), 10, 64)
			if err != nil || exp < 0 || exp > 1<<40 {
				return h, reject(verifier.ErrMalformed, "the header's exp is not a whole number of seconds")
			}
			h.exp, h.hasExp = exp, true
			continue
		case "jku", "x5u", "jwk", "x5c", "crit":
			return h, rejectf(verifier.ErrMalformed, "the header has %q, which is not accepted: keys come only from the ALB key endpoint", name)
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return h, reject(verifier.ErrMalformed, "the header is not valid JSON")
			}
			continue
		}
		if err := dec.Decode(dst); err != nil {
			return h, rejectf(verifier.ErrMalformed, "the header's %s is not a string", name)
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return h, reject(verifier.ErrMalformed, "the header is not valid JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return h, reject(verifier.ErrMalformed, "the header has data after the JSON object")
	}
	switch {
	case !hasAlg:
		return h, reject(verifier.ErrMalformed, "the header has no alg")
	case h.alg != "ES256":
		return h, reject(verifier.ErrUnsupportedAlg, "alg is not ES256, the only algorithm the ALB signs with (none, HMAC and RSA are never accepted)")
	case !hasKid || !kidForm.MatchString(h.kid):
		return h, reject(verifier.ErrMalformed, "the header's kid is not the UUID the ALB names its keys with")
	case !hasSigner || h.signer == "":
		return h, reject(verifier.ErrMalformed, "the header has no signer")
	case !hasClient:
		return h, reject(verifier.ErrMalformed, "the header has no client")
	case !hasIss:
		return h, reject(verifier.ErrMalformed, "the header has no iss")
	case h.typ != "" && h.typ != "JWT":
		return h, reject(verifier.ErrMalformed, "the header's typ is not JWT")
	}
	return h, nil
}
