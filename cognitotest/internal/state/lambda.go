package state

import "maps"

// LambdaConfig is a pool's Lambda triggers (the LambdaConfig of
// CreateUserPool and UpdateUserPool): what each trigger invokes.
type LambdaConfig struct {
	// Triggers maps a trigger ("PreSignUp", "PostConfirmation",
	// "PreAuthentication", "PostAuthentication", "CustomMessage",
	// "UserMigration", "PreTokenGeneration", "DefineAuthChallenge",
	// "CreateAuthChallenge", "VerifyAuthChallengeResponse",
	// "CustomEmailSender", "CustomSMSSender") to what it invokes: a
	// Lambda function ARN or a function name (the function the emulator
	// has under that name), or an http(s) URL.
	Triggers map[string]string `json:"triggers,omitempty"`
	// PreTokenGenerationVersion is the version of the pre token
	// generation event: "V1_0" ("" is V1_0), "V2_0" or "V3_0".
	PreTokenGenerationVersion string `json:"pre_token_generation_version,omitempty"`
	// KMSKeyID is the KMS key ARN that encrypts the codes sent to the
	// custom sender triggers.
	KMSKeyID string `json:"kms_key_id,omitempty"`
}

// Clone returns a deep copy.
func (c LambdaConfig) Clone() LambdaConfig {
	c.Triggers = maps.Clone(c.Triggers)
	return c
}

// IsZero reports whether no trigger is configured.
func (c LambdaConfig) IsZero() bool {
	return len(c.Triggers) == 0 && c.PreTokenGenerationVersion == "" && c.KMSKeyID == ""
}
