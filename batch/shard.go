package batch

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// ShardIndexEnv is the environment variable `--shard auto/N` reads: the
// 0-based completion index Kubernetes gives each pod of an Indexed Job.
const ShardIndexEnv = "JOB_COMPLETION_INDEX"

// Shard is one of Count disjoint parts of a host selection, as given to
// --shard I/N: Index is 1-based (1..Count). The zero Shard means no
// sharding (every host).
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// ParseShard parses --shard: "I/N" with 1 <= I <= N, or "auto/N", where I
// is one more than the 0-based index in the environment variable
// ShardIndexEnv (looked up with getenv; a Kubernetes Indexed Job sets it
// in each pod). Errors say what is wrong with s or with the variable.
func ParseShard(s string, getenv func(string) (string, bool)) (Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	count, err := strconv.Atoi(n)
	if !ok || err != nil || count < 1 || strconv.Itoa(count) != n {
		return Shard{}, fmt.Errorf("--shard %q: want I/N (shard I of N, 1 <= I <= N) or auto/N", s)
	}
	if i == "auto" {
		v, set := getenv(ShardIndexEnv)
		if !set {
			return Shard{}, fmt.Errorf("--shard %s: environment variable %s is not set (it is set in the pods of a Kubernetes Indexed Job)", s, ShardIndexEnv)
		}
		idx, err := strconv.Atoi(v)
		if err != nil || idx < 0 || idx >= count || strconv.Itoa(idx) != v {
			return Shard{}, fmt.Errorf("--shard %s: %s=%q is not a 0-based index below %d", s, ShardIndexEnv, v, count)
		}
		return Shard{Index: idx + 1, Count: count}, nil
	}
	index, err := strconv.Atoi(i)
	if err != nil || index < 1 || index > count || strconv.Itoa(index) != i {
		return Shard{}, fmt.Errorf("--shard %q: the shard must be 1..%d (1-based), or auto", s, count)
	}
	return Shard{Index: index, Count: count}, nil
}

// String returns "I/N", or "" for the zero Shard.
func (s Shard) String() string {
	if s.Count == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// ShardOf returns the 1-based shard of count that the host named name
// falls in: 1 + (the 64-bit FNV-1a hash of the name's bytes) mod count.
// It depends on the name alone, so a host lands in the same shard
// whatever the inventory order or the other hosts.
func ShardOf(name string, count int) int {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int(h.Sum64()%uint64(count)) + 1
}

// Contains reports whether the host named name falls in s (always true for
// the zero Shard).
func (s Shard) Contains(name string) bool {
	return s.Count == 0 || ShardOf(name, s.Count) == s.Index
}

// Select returns the hosts that fall in s, in their order, and for each
// its 0-based position in hosts. For the zero Shard it returns every host.
func (s Shard) Select(hosts []*Host) ([]*Host, []int) {
	var sel []*Host
	var pos []int
	for i, h := range hosts {
		if s.Contains(h.Name) {
			sel = append(sel, h)
			pos = append(pos, i)
		}
	}
	return sel, pos
}
