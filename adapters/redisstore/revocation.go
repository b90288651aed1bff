package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitokit/cognitokit/verifier/revocation"
)

// Defaults.
const (
	// DefaultPrefix starts every key and channel name.
	DefaultPrefix = "cognitokit:"
	// DefaultTimeout bounds one exchange with Redis.
	DefaultTimeout = 2 * time.Second
	// DefaultReconcileInterval is how often the revocation list is
	// reloaded in full, in case a pub/sub message was lost.
	DefaultReconcileInterval = time.Minute
)

// RevocationSyncConfig configures a [RevocationSync].
type RevocationSyncConfig struct {
	// Client is the Redis client: redis.NewUniversalClient for a
	// standalone server, Sentinel (MasterName set) or Cluster (several
	// Addrs). Required. The RevocationSync does not close it.
	Client redis.UniversalClient

	// Prefix starts the key ({Prefix}revocations, a sorted set) and the
	// pub/sub channel (the same name). Applications sharing a Redis with
	// separate lists use separate prefixes. Optional. Default
	// DefaultPrefix ("cognitokit:").
	Prefix string

	// Timeout bounds one Publish and one load of the list. Optional.
	// Default DefaultTimeout (2 s).
	Timeout time.Duration

	// ReconcileInterval is how often the whole list is reloaded while
	// subscribed, in case a pub/sub message was lost (pub/sub delivers at
	// most once). Optional. Default DefaultReconcileInterval (1 min).
	ReconcileInterval time.Duration
}

// RevocationSync shares a [revocation.List] between replicas through
// Redis. Set it as revocation.Config.Sync.
//
// Each revocation is added to one sorted set (member: the entry, score:
// its expiry), so the list survives replicas restarting and works the
// same on a Cluster (one key, one slot), then announced on a pub/sub
// channel. Every replica subscribes: a revocation on one replica is in
// force on the others as soon as the message arrives, milliseconds
// later. When a replica subscribes (at start, and after every
// reconnection) it loads the whole sorted set, so nothing published while
// it was away is missed, and it reloads it every ReconcileInterval.
// Expired entries are removed from the sorted set as new ones are added.
type RevocationSync struct {
	cfg     RevocationSyncConfig
	key     string
	channel string
}

// NewRevocationSync validates cfg and returns a RevocationSync. It does no
// I/O.
func NewRevocationSync(cfg RevocationSyncConfig) (*RevocationSync, error) {
	if cfg.Client == nil {
		return nil, fmt.Errorf("%w: Client is required (redis.NewUniversalClient)", ErrInvalidConfig)
	}
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultPrefix
	}
	if len(cfg.Prefix) > 256 {
		return nil, fmt.Errorf("%w: Prefix is longer than 256 bytes", ErrInvalidConfig)
	}
	var err error
	if cfg.Timeout, err = duration("Timeout", cfg.Timeout, DefaultTimeout); err != nil {
		return nil, err
	}
	if cfg.ReconcileInterval, err = duration("ReconcileInterval", cfg.ReconcileInterval, DefaultReconcileInterval); err != nil {
		return nil, err
	}
	key := cfg.Prefix + "revocations"
	return &RevocationSync{cfg: cfg, key: key, channel: key}, nil
}

func duration(name string, v, def time.Duration) (time.Duration, error) {
	switch {
	case v < 0:
		return 0, fmt.Errorf("%w: %s is negative; use 0 for the default %v", ErrInvalidConfig, name, def)
	case v == 0:
		return def, nil
	}
	return v, nil
}

// maxMessage bounds a pub/sub message or sorted-set member.
const maxMessage = 1024

// Publish implements [revocation.Sync]: it adds e to the sorted set,
// removes expired entries, and announces e. It returns nil once Redis has
// stored and published it.
func (rs *RevocationSync) Publish(ctx context.Context, e revocation.Entry) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, rs.cfg.Timeout)
	defer cancel()
	now := time.Now().UnixMilli()
	cmds, err := rs.cfg.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, rs.key, redis.Z{Score: float64(e.Expires.UnixMilli()), Member: data})
		p.ZRemRangeByScore(ctx, rs.key, "-inf", strconv.FormatInt(now, 10))
		p.Publish(ctx, rs.channel, data)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redisstore: publish revocation: %w", err)
	}
	for _, c := range cmds {
		if c.Err() != nil {
			return fmt.Errorf("redisstore: publish revocation: %w", c.Err())
		}
	}
	return nil
}

// Run implements [revocation.Sync]: it subscribes, loads every live entry
// once subscribed (and after each reconnection), then applies each
// announced entry, reloading everything every ReconcileInterval. It
// returns when ctx ends or the subscription fails.
func (rs *RevocationSync) Run(ctx context.Context, apply func([]revocation.Entry)) error {
	ps := rs.cfg.Client.Subscribe(ctx, rs.channel)
	defer ps.Close()
	// A blocked Receive does not watch ctx: closing the subscription ends it.
	stop := context.AfterFunc(ctx, func() { ps.Close() })
	defer stop()
	subscribed := false
	for {
		msg, err := ps.ReceiveTimeout(ctx, rs.cfg.ReconcileInterval)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			var ne net.Error
			if subscribed && errors.As(err, &ne) && ne.Timeout() {
				if err := rs.load(ctx, apply); err != nil {
					return err
				}
				continue
			}
			return fmt.Errorf("redisstore: revocation subscription: %w", err)
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			// Subscribed (again): load what was published meanwhile.
			// Messages that arrive during the load are applied after it.
			subscribed = true
			if err := rs.load(ctx, apply); err != nil {
				return err
			}
		case *redis.Message:
			if len(m.Payload) > maxMessage {
				continue
			}
			var e revocation.Entry
			if json.Unmarshal([]byte(m.Payload), &e) == nil {
				apply([]revocation.Entry{e})
			}
		}
	}
}

// load applies every live entry of the sorted set, a page at a time.
func (rs *RevocationSync) load(ctx context.Context, apply func([]revocation.Entry)) error {
	const page = 10000
	min := strconv.FormatInt(time.Now().UnixMilli(), 10)
	for offset := int64(0); ; offset += page {
		lctx, cancel := context.WithTimeout(ctx, rs.cfg.Timeout)
		members, err := rs.cfg.Client.ZRangeArgs(lctx, redis.ZRangeArgs{Key: rs.key, Start: min, Stop: "+inf", ByScore: true, Offset: offset, Count: page}).Result()
		cancel()
		if err != nil {
			return fmt.Errorf("redisstore: load revocations: %w", err)
		}
		entries := make([]revocation.Entry, 0, len(members))
		for _, m := range members {
			var e revocation.Entry
			if len(m) <= maxMessage && json.Unmarshal([]byte(m), &e) == nil {
				entries = append(entries, e)
			}
		}
		apply(entries)
		if len(members) < page {
			return nil
		}
	}
}

var _ revocation.Sync = (*RevocationSync)(nil)
