// Package emulator is the runtime every emulated service shares: the
// [Emulator] (state, clock, random source, outbox, injected faults, the
// server's URL, RSA keys generated ahead in the background and the
// goroutines that belong to it), the [Registry] of API operations, the AWS JSON 1.1
// handler that dispatches them ([Emulator.APIHandler]), the [Route] type
// with which packages declare their HTTP endpoints, and compact JWS
// signing and verification ([SignJWT], [ParseJWT]).
//
// # Layers
//
// The emulator's packages import downwards only, which a test enforces:
//
//	cognitotest                                   the public face: wires everything
//	userpool/{auth,users,pools,devices,mfa},      operations, grouped as the API reference groups them;
//	  identity, managedlogin, guard, console      no package of this layer imports another
//	userpool                                      the user pool domain shared by the operations
//	emulator, boltstore                           this package: the runtime; the durable store
//	state, wire                                   records and the store; the AWS JSON 1.1 protocol
//
// # Operations
//
// An operation is registered once, in the package that implements it, as
// an [Op]: its service, name and handler, whether Cognito serves it
// without AWS credentials ([Op.Public], which the guard and the IAM check
// read), and whether it changes the state ([Op.Writes], which the test of
// commits reads). Adding an operation is adding one Op.
package emulator
