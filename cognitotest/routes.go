package cognitotest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// routes builds the server's HTTP handler: the guard (guard.go), which
// checks the Host and the Origin of every request and answers CORS, then
// fault injection, then the routes. A new route is closed to web pages of
// other origins until it is listed in corsRoutes.
func (s *Server) routes() http.Handler {
	mux := s.newMux()
	return s.withGuard(mux, s.withFaults(mux))
}

// newMux registers every endpoint on one ServeMux. Endpoints that belong
// to other features live in their own files and add themselves below.
func (s *Server) newMux() *http.ServeMux {
	mux := http.NewServeMux()

	// The Cognito user pool API (AWS JSON 1.1): POST / with X-Amz-Target.
	// CORS preflights are answered by the guard (guard.go).
	mux.HandleFunc("POST /{$}", s.serveAPI)

	// Per-pool OpenID Connect metadata. The issuer is {URL}/{poolId}.
	mux.HandleFunc("GET /{pool}/.well-known/jwks.json", s.serveJWKS)
	mux.HandleFunc("GET /{pool}/.well-known/openid-configuration", s.serveDiscovery)

	// ---- Registration point for further endpoints ----------------------
	// The OAuth 2.0 endpoints (/oauth2/authorize, /oauth2/token,
	// /oauth2/userInfo, /oauth2/revoke, /logout) are registered here by a
	// method defined in their own file, e.g.:
	//
	//	s.registerOAuthRoutes(mux)
	//
	// Helpers they can use, all documented where they are defined:
	// s.clientLocked / p.lookupLocked (find app clients and users),
	// p.prepareTokensLocked + (*pendingTokens).finish or p.mintTokens
	// (issue tokens with the Cognito claim sets), s.refreshLocked
	// (redeem a refresh token with rotation), s.revokeRefreshLocked,
	// s.authenticateLocked (validate an access token), s.deliver (the
	// message sink) and s.faults (latency and failures).
	// ---------------------------------------------------------------------
	s.registerOAuthRoutes(mux)
	return mux
}

// withFaults applies injected latency to every request.
func (s *Server) withFaults(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := s.faults.latency(); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			case <-s.closing:
				t.Stop()
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

func (s *Server) serveJWKS(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	p := s.pools[r.PathValue("pool")]
	s.mu.Unlock()
	if p == nil {
		http.Error(w, `{"message":"User pool does not exist."}`, http.StatusNotFound)
		return
	}
	switch s.faults.jwksMode() {
	case JWKSFail:
		http.Error(w, `{"message":"Internal server error"}`, http.StatusInternalServerError)
		return
	case JWKSHang:
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		return
	case JWKSGarbage:
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"keys":[{"kty":"RSA","kid":`)
		return
	case JWKSEmpty:
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"keys":[]}`)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "max-age=3600")
	w.Write(p.JWKS())
}

func (s *Server) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	p := s.pools[r.PathValue("pool")]
	s.mu.Unlock()
	if p == nil {
		http.Error(w, `{"message":"User pool does not exist."}`, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(p.discovery())
}

// requestID returns a random request ID, or a fixed one when the random
// source fails (the failure is reported by the operation itself).
func (s *Server) requestID() (id string) {
	defer func() {
		if recover() != nil {
			id = "00000000-0000-4000-8000-000000000000"
		}
	}()
	return s.uuid()
}

const targetPrefix = "AWSCognitoIdentityProviderService."

// opFunc implements one API operation: it decodes the request body from
// c.body and returns the response value (JSON-encoded) or an error.
type opFunc func(c *call) (any, error)

// call is one API request.
type call struct {
	s    *Server
	r    *http.Request
	op   string
	body []byte
	iam  bool // the request carries an Authorization header
}

// decode unmarshals the request body into v.
func (c *call) decode(v any) error {
	if len(c.body) == 0 {
		return errInvalidParameter("request body is empty; want a JSON object")
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return apiErr("SerializationException", "field %s: expected %s", te.Field, te.Type)
		}
		return apiErr("SerializationException", "request body is not valid JSON for %s", c.op)
	}
	return nil
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	if s.serveOther(w, r) { // Cognito Identity and STS (identity.go)
		return
	}
	start := time.Now()
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	var resp any
	var err error
	switch {
	case !ok:
		err = apiErr("UnknownOperationException", "missing or invalid X-Amz-Target header; want %s<Operation>", targetPrefix)
	case !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-1.1"):
		err = apiErr("SerializationException", "Content-Type must be application/x-amz-json-1.1")
	default:
		resp, err = s.dispatch(r, op)
	}
	status := http.StatusOK
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", s.requestID())
	var ae *apiError
	if err != nil {
		if !errors.As(err, &ae) {
			ae = errInternal("internal error")
			s.opts.logger.Error("cognitotest: internal error", "op", op, "err", err)
		}
		status = ae.Status
		if status == 0 {
			status = http.StatusBadRequest
		}
		w.Header().Set("X-Amzn-Errortype", ae.Type)
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"__type": ae.Type, "message": ae.Message})
	} else {
		if resp == nil {
			resp = struct{}{}
		}
		b, merr := json.Marshal(resp)
		if merr != nil {
			s.opts.logger.Error("cognitotest: encode response", "op", op, "err", merr)
			w.Header().Set("X-Amzn-Errortype", "InternalErrorException")
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"__type":"InternalErrorException","message":"internal error"}`)
			return
		}
		w.Write(b)
	}
	attrs := []any{"op", op, "status", status, "duration", time.Since(start)}
	if ae != nil {
		attrs = append(attrs, "error", ae.Type)
	}
	s.opts.logger.Info("cognitotest: request", attrs...)
}

func (s *Server) dispatch(r *http.Request, op string) (resp any, err error) {
	defer func() {
		// A bug (or a failing WithRand source) must not drop the
		// connection: answer InternalErrorException and log it.
		if v := recover(); v != nil {
			s.opts.logger.Error("cognitotest: panic in operation", "op", op, "panic", fmt.Sprint(v))
			resp, err = nil, errInternal("cognitotest: internal error in %s; see the server log", op)
		}
	}()
	fn, ok := s.ops[op]
	if !ok {
		if len(op) > 64 {
			op = op[:64] + "..."
		}
		return nil, apiErr("UnknownOperationException", "cognitotest does not implement the operation %q", op)
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, s.opts.maxBody))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return nil, errInvalidParameter("request body exceeds %d bytes", s.opts.maxBody)
		}
		return nil, errInvalidParameter("cannot read request body")
	}
	c := &call{s: s, r: r, op: op, body: body, iam: r.Header.Get("Authorization") != ""}
	if !publicUserPoolOps[op] && !c.iam { // Cognito authorizes the others with IAM (guard.go)
		return nil, apiErr("MissingAuthenticationTokenException", "%s requires AWS credentials (SigV4 Authorization header)", op)
	}
	if e := s.faults.takeFailure(op); e != nil {
		return nil, e
	}
	return fn(c)
}
