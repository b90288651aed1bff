package cognitotest

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/cognitotest/internal/albproxy"
)

// The on-unauthenticated-request modes of [ALBConfig].
const (
	ALBAuthenticate = albproxy.Authenticate
	ALBDeny         = albproxy.Deny
	ALBAllow        = albproxy.Allow
)

// ALBConfig configures an emulated Application Load Balancer (see
// [Server.StartALB]).
type ALBConfig struct {
	// Target is the URL of the service behind the ALB, such as
	// http://127.0.0.1:8080. Required.
	Target string
	// Pool is the user pool the ALB authenticates against. Required.
	Pool *Pool
	// Addr is the listen address. Optional. Default "127.0.0.1:0" (a free
	// port).
	Addr string
	// OnUnauthenticated is what a request without a session gets:
	// ALBAuthenticate (default: a redirect to the managed login), ALBDeny
	// (401) or ALBAllow (forwarded without identity headers).
	OnUnauthenticated string
	// Scope is the scope the ALB asks for. Optional. Default "openid".
	Scope string
	// SessionTimeout is the ALB session's lifetime. Optional. Default 7
	// days, the ALB's default.
	SessionTimeout time.Duration
	// ARN is the load balancer's ARN, the signer of its tokens. Optional.
	// Default arn:aws:elasticloadbalancing:{region}:123456789012:loadbalancer/app/cognito-local/{random}.
	ARN string
}

// ALB is an emulated Application Load Balancer whose listener rule runs
// authenticate-cognito against the emulator's managed login, in front of
// a local service. Close it, or close the server.
type ALB struct {
	url, arn, keyURL, issuer string
	client                   AppClient
	hs                       *http.Server
	ln                       net.Listener
	closeOnce                sync.Once
}

// StartALB starts an ALB in front of cfg.Target, so that a service can be
// tested locally exactly as it runs behind a real ALB: a browser that
// opens [ALB.URL] is sent to the managed login, comes back to
// /oauth2/idpresponse, and then reaches the service with the three
// headers the ALB adds (x-amzn-oidc-data signed with the emulator's ALB
// key, x-amzn-oidc-accesstoken and x-amzn-oidc-identity). Verify them with
// package verifier/alb: ALBARNs [ALB.ARN], ClientIDs [ALB.ClientID],
// Issuer the pool's issuer, KeyURL [ALB.KeyURL].
//
// It creates the ALB's app client in the pool: a confidential client with
// the code flow and the callback URL {ALB URL}/oauth2/idpresponse (with
// localhost and 127.0.0.1), as the ALB's authenticate action needs.
func (s *Server) StartALB(cfg ALBConfig) (*ALB, error) {
	if cfg.Pool == nil {
		return nil, fmt.Errorf("%w: ALBConfig.Pool is nil; pass the pool the ALB authenticates against", ErrInvalidConfig)
	}
	target, err := url.Parse(cfg.Target)
	if err != nil || target.Host == "" || (target.Scheme != "http" && target.Scheme != "https") {
		return nil, fmt.Errorf("%w: ALBConfig.Target %q must be an absolute http(s) URL, such as http://127.0.0.1:8080", ErrInvalidConfig, cfg.Target)
	}
	addr := cfg.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	arn := cfg.ARN
	if arn == "" {
		var b [8]byte
		rand.Read(b[:])
		arn = "arn:aws:elasticloadbalancing:" + s.opts.region + ":123456789012:loadbalancer/app/cognito-local/" + hex.EncodeToString(b[:])
	}
	if !strings.HasPrefix(arn, "arn:") {
		return nil, fmt.Errorf("%w: ALBConfig.ARN %q is not an ARN", ErrInvalidConfig, arn)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cognitotest: ALB: listen on %s: %w", addr, err)
	}
	base := "http://" + ln.Addr().String()
	callbacks := []string{base + albproxy.CallbackPath}
	if _, port, err := net.SplitHostPort(ln.Addr().String()); err == nil {
		callbacks = append(callbacks, "http://localhost:"+port+albproxy.CallbackPath, "http://127.0.0.1:"+port+albproxy.CallbackPath)
	}
	scope := cfg.Scope
	if scope == "" {
		scope = "openid"
	}
	client, err := cfg.Pool.CreateClient(ClientConfig{Name: "cognito-local-alb", GenerateSecret: true, CallbackURLs: callbacks,
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: append(strings.Fields(scope), "openid", "email", "profile"),
		AllowedOAuthFlowsUserPoolClient: true})
	if err != nil {
		ln.Close()
		return nil, err
	}
	proxy, err := albproxy.New(albproxy.Config{Target: target, OAuthDomain: s.OAuthDomain(), Issuer: cfg.Pool.Issuer(),
		ClientID: client.ID, ClientSecret: client.Secret, ARN: arn, Scope: scope, OnUnauthenticated: cfg.OnUnauthenticated,
		SessionTimeout: cfg.SessionTimeout, Keys: s.albKeys, HTTPClient: s.hs.Client(), Now: s.opts.now, Logger: s.opts.logger})
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
	}
	if _, _, err := s.albKeys.Current(); err != nil {
		ln.Close()
		return nil, err
	}
	a := &ALB{url: base, arn: arn, keyURL: s.publicURL + albproxy.KeyPath, issuer: cfg.Pool.Issuer(), client: client, ln: ln,
		hs: &http.Server{Handler: proxy, ReadHeaderTimeout: 10 * time.Second}}
	go a.hs.Serve(ln)
	s.albMu.Lock()
	s.albs = append(s.albs, a)
	s.albMu.Unlock()
	return a, nil
}

// URL returns the ALB's base URL, such as http://127.0.0.1:41235.
func (a *ALB) URL() string { return a.url }

// ARN returns the load balancer's ARN: the signer header of its tokens.
func (a *ALB) ARN() string { return a.arn }

// KeyURL returns the base URL of its public keys: the key of kid K is at
// KeyURL()+"/"+K, as a PEM document (alb.Config.KeyURL). Like the JWKS
// URLs, it is on the server's [Server.PublicURL].
func (a *ALB) KeyURL() string { return a.keyURL }

// ClientID returns the app client ID of its authenticate action: the
// client header of its tokens.
func (a *ALB) ClientID() string { return a.client.ID }

// Issuer returns the issuer of the pool it authenticates against.
func (a *ALB) Issuer() string { return a.issuer }

// Close stops the ALB. It is safe to call more than once.
func (a *ALB) Close() error {
	var err error
	a.closeOnce.Do(func() {
		err = a.hs.Close()
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
	})
	return err
}
