package cognitotest

import "github.com/cognitokit/cognitokit/cognitotest/internal/console"

// LogsURL returns the URL of the log buffer as JSON: the log events
// Cognito would deliver to the destinations of the pools' log delivery
// configurations (SetLogDeliveryConfiguration), which GET lists, oldest
// first, filtered by the query parameters pool, type (userNotification or
// userAuthEvents), after and limit. See the package documentation, "The
// emulator's own endpoints".
func (s *Server) LogsURL() string { return s.url + console.LogsPath }
