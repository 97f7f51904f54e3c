package batch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/inilua/inilua/internal/version"
)

func TestParseShard(t *testing.T) {
	env := func(v string, set bool) func(string) (string, bool) {
		return func(k string) (string, bool) {
			if k != ShardIndexEnv {
				t.Errorf("looked up %s", k)
			}
			return v, set
		}
	}
	none := env("", false)
	for _, c := range []struct {
		in     string
		getenv func(string) (string, bool)
		want   Shard
		errHas string
	}{
		{"1/1", none, Shard{1, 1}, ""},
		{"2/3", none, Shard{2, 3}, ""},
		{"3/3", none, Shard{3, 3}, ""},
		{"auto/4", env("0", true), Shard{1, 4}, ""},
		{"auto/4", env("3", true), Shard{4, 4}, ""},
		{"0/3", none, Shard{}, "1..3"},
		{"4/3", none, Shard{}, "1..3"},
		{"1/0", none, Shard{}, "want I/N"},
		{"1", none, Shard{}, "want I/N"},
		{"a/3", none, Shard{}, "1..3"},
		{"01/3", none, Shard{}, "1..3"},
		{"1/+3", none, Shard{}, "want I/N"},
		{"auto/4", none, Shard{}, "JOB_COMPLETION_INDEX is not set"},
		{"auto/4", env("4", true), Shard{}, `JOB_COMPLETION_INDEX="4" is not a 0-based index below 4`},
		{"auto/4", env("-1", true), Shard{}, "0-based"},
		{"auto/4", env("x", true), Shard{}, "0-based"},
	} {
		got, err := ParseShard(c.in, c.getenv)
		switch {
		case c.errHas == "" && err != nil:
			t.Errorf("%s: %v", c.in, err)
		case c.errHas != "" && (err == nil || !strings.Contains(err.Error(), c.errHas)):
			t.Errorf("%s: error %v, want one containing %q", c.in, err, c.errHas)
		case got != c.want:
			t.Errorf("%s: got %+v, want %+v", c.in, got, c.want)
		}
	}
}

// fnv1a64 is the 64-bit FNV-1a hash written out from its definition
// (offset basis and prime of the FNV specification), so the documented
// shard rule is checked independently of hash/fnv.
func fnv1a64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// TestShardsPartitionHosts: every host is in exactly one shard, the one
// the documented rule gives, whatever the order of the inventory.
func TestShardsPartitionHosts(t *testing.T) {
	var hosts []*Host
	for i := range 300 {
		hosts = append(hosts, &Host{Name: fmt.Sprintf("mail%d.example.com", i)})
	}
	shuffled := append([]*Host{}, hosts...)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for n := 1; n <= 7; n++ {
		seen := map[string]int{}
		for i := 1; i <= n; i++ {
			s := Shard{Index: i, Count: n}
			sel, pos := s.Select(hosts)
			if len(sel) == 0 {
				t.Errorf("shard %s of 300 hosts is empty", s)
			}
			for k, h := range sel {
				if hosts[pos[k]] != h {
					t.Errorf("shard %s: position %d is not %s", s, pos[k], h.Name)
				}
				if k > 0 && pos[k] <= pos[k-1] {
					t.Errorf("shard %s: hosts out of inventory order", s)
				}
				if want := int(fnv1a64(h.Name)%uint64(n)) + 1; want != i {
					t.Errorf("%s is in shard %d/%d, the rule says %d", h.Name, i, n, want)
				}
				seen[h.Name]++
			}
			other, _ := s.Select(shuffled)
			if names(other, true) != names(sel, true) {
				t.Errorf("shard %s differs when the inventory is shuffled", s)
			}
		}
		for _, h := range hosts {
			if seen[h.Name] != 1 {
				t.Errorf("%d shards: %s is in %d shards", n, h.Name, seen[h.Name])
			}
		}
	}
	if all, _ := (Shard{}).Select(hosts); len(all) != len(hosts) {
		t.Errorf("the zero Shard selects %d of %d hosts", len(all), len(hosts))
	}
}

// names lists the hosts' names, sorted when sorted is set.
func names(hosts []*Host, sorted bool) string {
	var s []string
	for _, h := range hosts {
		s = append(s, h.Name)
	}
	if sorted {
		slices.Sort(s)
	}
	return strings.Join(s, ",")
}

// TestRunShardReportFields: a sharded run reports only its hosts, each
// with its position in the whole selection and its start and end time,
// and the report carries the script's hash and arguments, the shard and
// the version.
func TestRunShardReportFields(t *testing.T) {
	hosts, _, _ := testHosts(t, 6)
	hosts[0].Groups = []string{"mail", "eu"}
	hosts[0].Vars = map[string]string{"zone": "b", "role": "a"}
	hosts[0].VarOrder = []string{"zone", "role"}
	code := script(t, "set-setting.lua")
	args := []string{`dir=` + SampleDir, "app=$SYS", "key=TimeOut", "type=u32", "value=300"}
	before := time.Now()
	var total int
	for i := 1; i <= 2; i++ {
		shard := Shard{Index: i, Count: 2}
		results, err := Run(context.Background(), hosts, Options{Script: "set-setting.lua", Code: code, Args: args, Shard: shard})
		if err != nil {
			t.Fatal(err)
		}
		want, pos := shard.Select(hosts)
		total += len(results)
		if len(results) != len(want) {
			t.Fatalf("shard %s: %d results, want %d", shard, len(results), len(want))
		}
		meta := ReportMeta{Script: NewScriptInfo("set-setting.lua", code, args), Shard: shard, Version: version.Get()}
		var buf bytes.Buffer
		if err := WriteReport(&buf, results, meta); err != nil {
			t.Fatal(err)
		}
		var rep struct {
			Version struct{ Module string }
			Script  struct {
				Path, SHA256 string
				Args         []string
			}
			Shard struct{ Index, Count int }
			Hosts []struct {
				Name, Start, End string
				Position         int
				Groups           []string
				Vars             json.RawMessage
			}
		}
		if err := json.Unmarshal(buf.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(code)
		if rep.Script.SHA256 != hex.EncodeToString(sum[:]) || rep.Script.Path != "set-setting.lua" || strings.Join(rep.Script.Args, " ") != strings.Join(args, " ") {
			t.Errorf("script %+v", rep.Script)
		}
		if rep.Shard.Index != i || rep.Shard.Count != 2 || rep.Version.Module == "" {
			t.Errorf("shard %+v version %+v", rep.Shard, rep.Version)
		}
		for k, h := range rep.Hosts {
			if h.Name != want[k].Name || h.Position != pos[k] {
				t.Errorf("host %d: %s at %d, want %s at %d", k, h.Name, h.Position, want[k].Name, pos[k])
			}
			start, err1 := time.Parse(time.RFC3339, h.Start)
			end, err2 := time.Parse(time.RFC3339, h.End)
			if err1 != nil || err2 != nil || start.Before(before.Truncate(time.Millisecond)) || end.Before(start) || end.After(time.Now()) {
				t.Errorf("host %s: start %q end %q (%v, %v)", h.Name, h.Start, h.End, err1, err2)
			}
			if h.Name == hosts[0].Name {
				var vars bytes.Buffer
				json.Compact(&vars, h.Vars)
				if strings.Join(h.Groups, ",") != "mail,eu" || vars.String() != `{"zone":"b","role":"a"}` {
					t.Errorf("host %s: groups %v vars %s", h.Name, h.Groups, h.Vars)
				}
			}
		}
	}
	if total != len(hosts) {
		t.Errorf("the 2 shards ran %d hosts, want %d", total, len(hosts))
	}
}
