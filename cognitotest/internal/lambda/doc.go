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
//     through aws-lambda-go's own decoding (lambda.NewHandler). A returned
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
// calls lambda.NewHandler's Invoke directly: the same JSON decoding and
// encoding, without the runtime loop.
package lambda
