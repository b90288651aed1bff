// Package stagetest holds test helpers shared by the tests of the
// cognitokit examples: [ExternalPool] points an example at a separate
// emulator, as the environment would point it at real Cognito.
package stagetest
