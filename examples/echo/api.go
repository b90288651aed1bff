package main

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cognitokit/cognitokit/adapters/echoauth"
	"github.com/cognitokit/cognitokit/verifier"
)

// newAPI wires the routes on an Echo instance (an http.Handler).
func newAPI(v *verifier.Verifier) (http.Handler, error) {
	auth, err := echoauth.Config{
		Verifier:    v,
		Realm:       "echo-example",
		TokenLookup: "header:Authorization:Bearer ,cookie:token",
		Skipper:     func(c echo.Context) bool { return c.Path() == "/healthz" },
	}.ToMiddleware()
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(auth)

	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/me", me)
	e.GET("/admin/users", listUsers, echoauth.RequireAnyGroup("admin"))
	// Either a machine client with demo-api/read or an administrator.
	e.GET("/orders", listOrders, echoauth.RequireFunc(func(_ context.Context, c *verifier.Claims) error {
		if c.HasScope("demo-api/read") || c.HasGroup("admin") {
			return nil
		}
		return errors.New("needs scope demo-api/read or group admin")
	}))
	e.POST("/orders", createOrder, echoauth.RequireAnyScope("demo-api/write"))
	return e, nil
}

func me(c echo.Context) error {
	cl, ok := echoauth.ClaimsFromContext(c)
	if !ok { // only when a route is wired outside the middleware
		return echo.ErrInternalServerError
	}
	return c.JSON(http.StatusOK, map[string]any{"sub": cl.Subject, "username": cl.Username, "groups": cl.Groups, "scopes": cl.Scopes, "machine": cl.IsMachine()})
}

func listUsers(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"users": []string{"alice", "bob"}})
}

func listOrders(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"orders": []string{"o-1", "o-2"}})
}

func createOrder(c echo.Context) error {
	cl, ok := echoauth.ClaimsFromContext(c)
	if !ok {
		return echo.ErrInternalServerError
	}
	return c.JSON(http.StatusCreated, map[string]any{"order": "o-3", "created_by": cl.ClientID})
}
