// Package state is the emulator's state: every durable fact as a plain,
// serialisable record, held in memory and written through to a [Store].
//
// # Records
//
// Each kind of record (see [Kinds]) is a Go struct of exported fields with
// JSON names: [Pool] (a user pool and its settings), [SigningKey] (the RSA
// keys of the pools and of Cognito Identity, so that tokens issued before
// a restart still verify), [Client] (app clients and their secrets),
// [ResourceServer], [Domain], [Group], [User] (attributes, status, the
// SRP salt and verifier of the password, never the password itself, MFA
// secrets and settings, pending codes, group membership), [Device], [RefreshToken] (found by the hash of the token,
// which is not stored), [TokenOrigin] (a sign-in's family of tokens, and
// its revocation), [IdentityPool], [Identity] (with its linked logins),
// [Credentials] (the AWS credentials Cognito Identity issued) and [Message]
// (the outbox: what the emulator "sent" by email or SMS). Messages are
// state because the codes they carry are: a message is put in the
// transaction that stores its code, so the outbox shows a code exactly
// when the code is committed, and still shows it after a restart.
//
// What is not here is not durable, on purpose: the state of a sign-in in
// progress (the Session of InitiateAuth, at most 15 minutes), the pending
// managed-login pages, authorization codes (5 minutes) and managed-login
// sessions, the emulator's options, the Go callbacks that stand in for
// Lambda triggers, and injected faults. After a restart, a sign-in in
// progress starts again, as after a Session expires.
//
// # Transactions
//
// Operations read and write through a [Tx]:
//
//	err := st.Update(func(tx *state.Tx) error {
//		u := tx.User(pool, "alice").Clone() // records from a Tx are shared: never modify them
//		u.Status = "CONFIRMED"
//		tx.PutUser(pool, u)
//		return nil // an error undoes the changes
//	})
//
// [State.View] transactions run in parallel and see only committed
// records. [State.Update] transactions run one at a time; their changes
// apply to memory at once, so that the transaction reads its own writes,
// and are recorded in an undo log. When the function returns nil, Update
// writes the changed records (and deletes the deleted ones) to the store
// in one store transaction, and only then returns. When the function
// fails, panics, or the store cannot commit, the undo log restores memory
// as it was, and the error is returned: the operation answers with an
// error, and nothing of it remains. Effects outside the state that must
// follow only what is committed (announcing a sent message) register with
// [Tx.OnCommit].
//
// So an operation that writes does so in an Update that returns before
// the operation writes its response: with a durable store, an
// acknowledged write is durable. Operations do their expensive work (SRP,
// RSA signatures, Lambda triggers) outside transactions, and check again
// inside the Update what they read before.
//
// # Store
//
// A [Store] keeps records as bytes, by kind and key, with View and Update
// transactions: the shape of an embedded key-value store. The durable one
// is the boltstore package's, a bbolt (go.etcd.io/bbolt) file where each
// kind is a bucket, [StoreTx.List] is a bucket's ForEach (in key order),
// and Update is bbolt's DB.Update, which commits with an fsync before it
// returns. The state package encodes the records (JSON), so a store never
// needs to know them; the meta kind holds the [FormatVersion], which
// [Open] writes to a new store and checks in an existing one. Open refuses
// a store of another version, with kinds of records or fields of records
// it does not know (a newer emulator wrote them: rewriting the records
// would drop them), with a record under another record's key, or with a
// record it cannot decode, and never writes to it: an older emulator
// cannot damage what a newer one wrote. [State.Loaded] tells a kept state
// from a new one.
//
// Open loads every record into memory; reads never touch the store. This
// suits the emulator, whose states are small (development data, bounded by
// its limits), and keeps sign-in as fast as before persistence. The
// in-memory indices (users by pool, devices and token origins by user,
// identities by pool, users by sub, logins by provider and subject) are rebuilt on
// load, so the store needs no index buckets.
//
// [MemoryStore] is a Store in memory, for tests and for in-process servers
// that share state across restarts. A State opened without a store keeps
// everything in memory only, as the emulator always did.
//
// # Keys
//
// Keys are strings; the constants of [Kind] document each. User keys fold
// the username as the pool does ([UserKey]). Refresh tokens are keyed by
// [TokenHash], so the store holds no usable refresh token.
package state
