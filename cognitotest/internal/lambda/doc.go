// Package lambda runs the code of Lambda triggers for the emulator, as the
// Lambda service runs it for Cognito: a [Function] takes the event as JSON
// and answers JSON, within a timeout, or fails.
//
// # Functions
//
// A function runs in one of two ways:
//
//   - In the process ([Handler]): a Go handler written for
//     github.com/aws/aws-lambda-go, of any signature lambda.Start accepts
//     (such as func(context.Context, events.CognitoEventUserPoolsPreSignup)
//     (events.CognitoEventUserPoolsPreSignup, error)), or a lambda.Handler.
//     The handler gets the event JSON exactly as Lambda would hand it over,
//     decoded as aws-lambda-go's lambda.NewHandler decodes it. A returned
//     error or a panic is a function error, as the Lambda runtime reports
//     them (errorMessage: the error's text, or the panic value).
//   - Over HTTP ([HTTP]): the event JSON is POSTed to a URL, and the
//     response body is the function's answer, so that trigger code in any
//     language can run. See [HTTP] for the protocol, which is that of the
//     Lambda Invoke API and of the Lambda runtime interface emulator.
//
// # Invocation
//
// [Invoke] gives each attempt a timeout (Cognito's: 5 seconds) and makes
// up to [Attempts] attempts while attempts time out, as Cognito does
// ("If it does not [respond within 5 seconds], Amazon Cognito retries the
// call. After 3 unsuccessful attempts, the function times out."). A
// function error is not retried. The errors are typed: [*FunctionError]
// (the function failed: Cognito's UserLambdaValidationException),
// [ErrTimeout], [ErrNotFound] and [ErrInvoke] (Cognito's
// UnexpectedLambdaException), and [ErrTooLarge]; the user pool domain maps
// them onto Cognito's errors.
//
// An in-process handler that outlives its timeout keeps running in its
// goroutine until it returns (Lambda would stop it); its answer is
// discarded.
//
// # Why not the Lambda runtime itself
//
// aws-lambda-go's lambda.Start serves one handler through the Lambda
// runtime API of a real (or emulated) Lambda environment, one process per
// function. The emulator runs many functions in its own process, so it
// only needs what lambda.NewHandler does for one invocation: decode the
// event into the handler's argument, call it, encode its result. That is
// written here (about forty lines) rather than imported, because the
// package github.com/aws/aws-lambda-go/lambda also brings the runtime
// client (net/rpc, encoding/gob and its message types) into every binary
// that embeds the emulator, and so into every test binary of a project
// that uses cognitotest: about 180 ms more link time per test binary built
// with -race (1.47 s against 1.29 s for examples/m2m's). The tests in
// cognitotest/internal/packagetests (lambda_*_test.go) compare the two on
// every handler shape and, by fuzzing, on any event.
package lambda
