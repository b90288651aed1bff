package state

// A Kind names a kind of record: a bucket of a key-value store.
type Kind string

// The kinds of records. Each is a bucket of the [Store]; the key of a
// record is given by the Tx method that puts it.
const (
	KindMeta           Kind = "meta"             // "format": the FormatVersion of the store
	KindPool           Kind = "pools"            // key: pool ID
	KindSigningKey     Kind = "signing_keys"     // key: owner "/" zero-padded sequence number
	KindClient         Kind = "clients"          // key: client ID (unique across pools)
	KindResourceServer Kind = "resource_servers" // key: pool ID "/" identifier
	KindDomain         Kind = "domains"          // key: the domain (prefix or host name; unique across pools)
	KindGroup          Kind = "groups"           // key: pool ID "/" group name
	KindUser           Kind = "users"            // key: pool ID "/" username, folded (see UserKey)
	KindDevice         Kind = "devices"          // key: pool ID "/" device key
	KindRefreshToken   Kind = "refresh_tokens"   // key: SHA-256 of the token, base64url
	KindTokenOrigin    Kind = "token_origins"    // key: pool ID "/" origin_jti
	KindIdentityPool   Kind = "identity_pools"   // key: identity pool ID
	KindIdentity       Kind = "identities"       // key: identity ID
	KindCredentials    Kind = "credentials"      // key: access key ID
	KindMessage        Kind = "messages"         // key: zero-padded sequence number (key order is sending order)
	KindAuthEvent      Kind = "auth_events"      // key: pool ID "/" sub "/" event ID
)

// Kinds lists the kinds of records, in the order they are loaded.
var Kinds = []Kind{KindPool, KindSigningKey, KindClient, KindResourceServer, KindDomain, KindGroup, KindUser, KindDevice,
	KindRefreshToken, KindTokenOrigin, KindIdentityPool, KindIdentity, KindCredentials, KindMessage, KindAuthEvent,
	KindTerms, KindBranding, KindUICustomization, KindRiskConfig, KindImportJob, KindProvisionedLimit,
	KindIdentityProvider, KindProviderLink, KindPasskey}

// FormatVersion is the version of the record encoding. [Open] writes it to
// a new store and refuses a store of another version, so that an older
// emulator never reads (or overwrites) what a newer one wrote.
//
// How the format grows: a new kind of record or a new field of a record
// keeps the version (a newer emulator reads older stores as they are; an
// older one refuses a store with a kind or a field it does not know, so
// that it cannot drop it by rewriting the record). Renaming a field,
// retyping it or changing its meaning is a new version, with a migration
// of older stores in Open.
const FormatVersion = 1

// Store keeps the records of the emulator, by kind and key, as opaque
// bytes (the state package encodes them). It is the persistence boundary:
// the in-memory [MemoryStore] and an on-disk store (bbolt: one bucket per
// kind) implement it. Its methods are safe for concurrent use.
type Store interface {
	// View runs fn in a read-only transaction.
	View(fn func(tx StoreTx) error) error
	// Update runs fn in a read-write transaction. When fn returns nil the
	// changes are committed atomically, and durably for a durable store,
	// before Update returns; when fn (or the commit) fails, none of them
	// is.
	Update(fn func(tx StoreTx) error) error
	// Close releases the store. Transactions after Close fail with
	// ErrClosed.
	Close() error
}

// StoreTx is a transaction of a [Store]. Byte slices passed to Put are not
// retained after it returns; those returned by Get and passed to List's
// callback are valid only until the transaction ends.
type StoreTx interface {
	// Get returns the value of key in kind, and whether it exists.
	Get(kind Kind, key string) (value []byte, ok bool, err error)
	// Put sets the value of key in kind.
	Put(kind Kind, key string, value []byte) error
	// Delete removes key from kind; deleting a missing key is not an error.
	Delete(kind Kind, key string) error
	// List calls fn for every record of kind, in key order, until fn
	// returns an error, which List returns.
	List(kind Kind, fn func(key string, value []byte) error) error
	// ListKinds returns the kinds that have records (or, for a store with
	// buckets, a bucket), sorted.
	ListKinds() ([]Kind, error)
}
