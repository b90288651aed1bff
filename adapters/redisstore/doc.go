// Package redisstore keeps cognitokit's shared state in Redis, through
// go-redis's universal client (standalone, Sentinel or Cluster), so that
// any number of replicas of an application behave as one:
//
//   - [SessionStore] is a weblogin.SessionStore: the browser holds an
//     opaque session ID, the tokens stay server-side, a user signed in on
//     one replica is signed in on all, and "sign out everywhere" ends
//     every session of a user;
//   - [RevocationSync] shares a revocation.List: a sign-out on one replica
//     is refused by every replica's verifier within milliseconds.
//
// # Usage
//
//	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"redis:6379"}})
//	sync, _ := redisstore.NewRevocationSync(redisstore.RevocationSyncConfig{Client: rdb})
//	list, _ := revocation.New(revocation.Config{Sync: sync})
//	defer list.Close()
//	store, _ := redisstore.NewSessionStore(redisstore.SessionStoreConfig{Client: rdb})
//	wl, _ := weblogin.New(weblogin.Config{Client: client, Keys: keys, Store: store, Revocation: list})
//	v, _ := verifier.New(verifier.Config{Pools: pools, Revocation: list})
//
// # Which Redis
//
// UniversalOptions with one address is a standalone server, with
// MasterName a Sentinel-managed primary, with several addresses a
// Cluster. Every key of a session, of a user's index and of the
// revocation list is a single key, and each multi-key step tolerates
// partial failure, so the store works unchanged on a Cluster. The tests run
// it on a standalone server, behind a Sentinel and on a three-node cluster
// that they start. The revocation channel uses
// classic pub/sub, which a Cluster delivers to subscribers on every node.
//
// # Failure
//
// When Redis cannot be reached, weblogin answers 503 (never 401) and the
// browser keeps its session cookie; nothing that was acknowledged is lost
// as long as Redis keeps what it acknowledged (run it with persistence,
// appendonly yes, or replicas, for sessions to survive a restart of
// Redis). The revocation list keeps working from each replica's copy, and
// catches up when Redis is back.
//
// # Cost
//
// Loading a session is one round trip (GET, plus PTTL with IdleTimeout,
// pipelined); saving one is one pipelined round trip. Measured on a
// 2-core machine against a local redis-server (BenchmarkSessionStore):
// see the README's "Running several replicas" section for the figures.
package redisstore
