// Package wire is the AWS JSON 1.1 protocol of the emulated Cognito APIs
// (the user pool API and Cognito Identity): the X-Amz-Target names, errors
// as the AWS SDKs expect them, timestamps, and the decoding of request
// bodies. It imports nothing of the emulator.
package wire
