package ini

import (
	"fmt"
	"math/rand/v2"
	"path"
	"testing"
)

// Benchmarks of the codecs. Their goals are ratios to a reference run
// in the same process (go run ./internal/benchcmp, docs/PERFORMANCE.md):
// binary read (BinaryRead) and write into a reused buffer (BinaryAppend)
// >= 1/20 of BenchmarkCopy, MarshalBinary with a new output (BinaryWrite)
// shown without a goal; memory for a binary read <= 3x the file size (see
// B/op). The TNI goals are in bench_tni_test.go. On their own:
//
//	go test -run='^$' -bench=. -benchmem ./ini
//
// Every benchmark runs on the inputs of benchInputs: the largest real file
// under realDir (when present) and a generated file of about 4 MiB. Other
// formats add their benchmarks here through benchInputs (e.g. TNI: encode
// each input's File with MarshalTNI once, then time ParseTNI with
// b.SetBytes(len(tni))).

// benchInput is one benchmark input: a model and its binary encoding.
type benchInput struct {
	Name string // sub-benchmark name: "real/<file>" or "gen4MiB"
	File *File  // the model (independent of Data)
	Data []byte // the canonical binary encoding of File
}

// benchInputs returns the largest real binary INI file (skipped when
// ../shared is absent) and the generated ~4 MiB file.
func benchInputs(b *testing.B) []benchInput {
	b.Helper()
	var in []benchInput
	if rf, ok := largestRealBinary(b); ok {
		f, err := ParseBinary(rf.Data)
		if err != nil {
			b.Fatal(err)
		}
		data, err := f.MarshalBinary()
		if err != nil {
			b.Fatal(err)
		}
		in = append(in, benchInput{Name: "real/" + path.Base(rf.Name), File: f.Clone(), Data: data})
	}
	f := generatedFile(4 << 20)
	data, err := f.MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	return append(in, benchInput{Name: "gen4MiB", File: f, Data: data})
}

// generatedFile builds, deterministically, a profile whose binary encoding
// is at least size bytes: applications of 10 to 200 keys whose values mix
// what real profiles hold (4-byte numbers, short strings with NUL, binary
// blocks of up to 512 bytes, a few of up to 8 KiB).
func generatedFile(size int) *File {
	rng := rand.New(rand.NewPCG(2, 3))
	f := &File{}
	total := binHeaderSize
	for a := 0; total < size; a++ {
		app := &Application{Name: fmt.Appendf(nil, "Application_%04d", a)}
		total += binAppSize + len(app.Name) + 1
		n := 10 + rng.IntN(191)
		for k := range n {
			key := fmt.Appendf(nil, "Key%04d_%x", k, rng.Uint32()&0xFFFF)
			var v []byte
			switch r := rng.IntN(100); {
			case r < 30:
				v = []byte{byte(rng.Uint32()), byte(rng.Uint32()), 0, 0}
			case r < 75:
				v = make([]byte, 5+rng.IntN(80))
				for i := range v {
					v[i] = byte(' ' + rng.IntN(95))
				}
				v[len(v)-1] = 0
			case r < 97:
				v = make([]byte, 16+rng.IntN(497))
				for i := range v {
					v[i] = byte(rng.Uint32())
				}
			default:
				v = make([]byte, 1024+rng.IntN(7*1024))
				for i := range v {
					v[i] = byte(rng.Uint32())
				}
			}
			app.Entries = append(app.Entries, Entry{Key: key, Value: v})
			total += binKeySize + len(key) + 1 + len(v)
		}
		f.Apps = append(f.Apps, app)
	}
	return f
}

// BenchmarkBinaryRead times ParseBinary; B/op is the memory of a read.
func BenchmarkBinaryRead(b *testing.B) {
	for _, in := range benchInputs(b) {
		b.Run(in.Name, func(b *testing.B) {
			b.SetBytes(int64(len(in.Data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseBinary(in.Data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBinaryWrite times MarshalBinary (a fresh output buffer each
// time, as Save does).
func BenchmarkBinaryWrite(b *testing.B) {
	for _, in := range benchInputs(b) {
		b.Run(in.Name, func(b *testing.B) {
			b.SetBytes(int64(len(in.Data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := in.File.MarshalBinary(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBinaryAppend times AppendBinary into a reused buffer: the
// encoder alone, without allocating and zeroing a fresh output buffer (and
// collecting it) as MarshalBinary must.
func BenchmarkBinaryAppend(b *testing.B) {
	for _, in := range benchInputs(b) {
		b.Run(in.Name, func(b *testing.B) {
			buf := make([]byte, 0, len(in.Data))
			b.SetBytes(int64(len(in.Data)))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if buf, err = in.File.AppendBinary(buf[:0]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCopy copies the same bytes with copy: the physical limit the
// codec benchmarks are compared with.
func BenchmarkCopy(b *testing.B) {
	for _, in := range benchInputs(b) {
		b.Run(in.Name, func(b *testing.B) {
			dst := make([]byte, len(in.Data))
			b.SetBytes(int64(len(in.Data)))
			b.ReportAllocs()
			for b.Loop() {
				copy(dst, in.Data)
			}
		})
	}
}
