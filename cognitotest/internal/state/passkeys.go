package state

import (
	"cmp"
	"encoding/base64"
	"slices"
	"time"
)

// Passkey is a WebAuthn credential of a user (issue 15): what the relying
// party keeps after a registration, to verify the user's assertions. It
// holds the public key only.
type Passkey struct {
	PoolID string `json:"pool_id"`
	Sub    string `json:"sub"`
	// ID is the credential ID the authenticator chose.
	ID []byte `json:"id"`
	// PublicKey is the credential's public key, a COSE_Key.
	PublicKey []byte `json:"public_key"`
	// RPID is the relying party ID it was registered for.
	RPID string `json:"rp_id"`
	// AttestationFormat is the format of the attestation statement
	// ("none", "packed", ...) and AttestationType its type.
	AttestationFormat string `json:"attestation_format,omitempty"`
	AttestationType   string `json:"attestation_type,omitempty"`
	AAGUID            []byte `json:"aaguid,omitempty"`
	// SignCount is the signature counter of the last assertion (0 for
	// authenticators without one); an assertion must carry a greater one.
	SignCount uint32 `json:"sign_count,omitempty"`
	// The flags of the authenticator data at registration (user
	// verified, backup eligible, backup state).
	UserVerified   bool `json:"user_verified,omitempty"`
	BackupEligible bool `json:"backup_eligible,omitempty"`
	BackupState    bool `json:"backup_state,omitempty"`
	// Transports and Attachment are what the client reported.
	Transports   []string  `json:"transports,omitempty"`
	Attachment   string    `json:"attachment,omitempty"`
	FriendlyName string    `json:"friendly_name,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	LastUsedAt   time.Time `json:"last_used_at,omitzero"`
}

// CredentialID returns the credential ID as the API shows it: base64url
// without padding.
func (k *Passkey) CredentialID() string { return base64.RawURLEncoding.EncodeToString(k.ID) }

// Clone returns a deep copy.
func (k *Passkey) Clone() *Passkey {
	c := *k
	c.ID, c.PublicKey, c.AAGUID = slices.Clone(k.ID), slices.Clone(k.PublicKey), slices.Clone(k.AAGUID)
	c.Transports = slices.Clone(k.Transports)
	return &c
}

// KindPasskey holds the passkeys. Key: pool ID "/" sub "/" credential ID
// (base64url).
const KindPasskey Kind = "passkeys"

func passkeyKey(k *Passkey) string { return k.PoolID + "/" + k.Sub + "/" + k.CredentialID() }

func (s *State) newPasskeyTable() anyTable {
	s.passkeys = newTable(KindPasskey, func(k *Passkey) string { return k.PoolID + "/" + k.Sub }, func(k *Passkey) string { return k.PoolID }, nil)
	s.passkeys.keyOf = passkeyKey
	return s.passkeys
}

// Passkey returns a passkey of a user by credential ID (base64url), or
// nil.
func (tx *Tx) Passkey(poolID, sub, credentialID string) *Passkey {
	return tx.s.passkeys.get(poolID + "/" + sub + "/" + credentialID)
}

// Passkeys returns the passkeys of a user, oldest first.
func (tx *Tx) Passkeys(poolID, sub string) []*Passkey {
	return sorted(tx.s.passkeys.children[poolID+"/"+sub], func(a, b *Passkey) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.CredentialID(), b.CredentialID()))
	})
}

// CountPasskeys returns how many passkeys a user has.
func (tx *Tx) CountPasskeys(poolID, sub string) int {
	return len(tx.s.passkeys.children[poolID+"/"+sub])
}

// PutPasskey stores k.
func (tx *Tx) PutPasskey(k *Passkey) { put(tx, tx.s.passkeys, passkeyKey(k), k) }

// DeletePasskey deletes k.
func (tx *Tx) DeletePasskey(k *Passkey) { put[Passkey](tx, tx.s.passkeys, passkeyKey(k), nil) }

// deletePasskeysOfPool deletes the passkeys of a pool's users.
func (tx *Tx) deletePasskeysOfPool(poolID string) {
	for _, k := range tx.s.passkeys.keysOfPool(poolID) {
		put(tx, tx.s.passkeys, k, nil)
	}
}
