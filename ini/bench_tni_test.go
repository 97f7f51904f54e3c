package ini

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"
)

// Benchmarks of the TNI codec. Throughput is counted in TNI text bytes
// for both directions. The goals are ratios to encoding/hex on as many
// bytes in the same process (go run ./internal/benchcmp,
// docs/PERFORMANCE.md): read into a reused File (TNIUnmarshal) >= 0.33 of
// HexDecode, write into a reused buffer (TNIAppend) >= 0.4 of HexEncode,
// the memory of a read into a new File (TNIRead) <= 1.2x the text size.
// On their own, run with
//
//	go test -run '^$' -bench 'TNI' -benchmem ./ini

// genTNIFile returns a deterministic profile whose TNI form is about size
// bytes, with the value shapes of real files: short numbers, strings,
// NUL-terminated strings, strings of strings and binary (hex) values.
func genTNIFile(size int) *File { return genTNIShape(size, -1) }

// tniShapes names the value shapes of genTNIShape, by number.
var tniShapes = []string{"number", "string", "stringNUL", "stringOfStrings", "binary", "bool"}

// genTNIShape is genTNIFile with every value of shape (an index into
// tniShapes), or of a shape drawn at random for each key when shape is -1.
func genTNIShape(size, shape int) *File {
	rng := rand.New(rand.NewPCG(7, 7))
	f := New()
	text := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(0x20 + rng.IntN(0x5F))
		}
		return b
	}
	total := 0
	for a := 0; total < size; a++ {
		app := fmt.Appendf(nil, "Application %d", a)
		total += 2*len(app) + 7 // header and closing tag
		for k := 0; k < 50 && total < size; k++ {
			key := fmt.Appendf(nil, "Key%03d", k)
			var v []byte
			kind := shape
			if kind < 0 {
				kind = rng.IntN(len(tniShapes))
			}
			switch kind {
			case 0:
				v = []byte{byte(rng.IntN(256)), byte(rng.IntN(256)), 0, 0}
			case 1:
				v = text(5 + rng.IntN(100))
			case 2:
				v = append(text(5+rng.IntN(60)), 0)
			case 3:
				for range 1 + rng.IntN(5) {
					v = append(v, bytes.ReplaceAll(text(1+rng.IntN(30)), []byte(" "), []byte("_"))...)
					v = append(v, 0)
				}
				v = append(v, 0)
			case 4:
				v = make([]byte, 8+rng.IntN(200))
				for i := range v {
					v[i] = byte(rng.IntN(256))
				}
			default:
				v = []byte{byte(rng.IntN(2))}
			}
			f.put(app, key, v)
			w := tniWriter{}
			w.entry(app, key, v)
			total += len(w.out)
		}
	}
	return f
}

// tniBenchInputs returns the TNI texts benchmarked: the largest real INI
// file (when ../shared is present) and a generated 4 MiB file.
func tniBenchInputs(b *testing.B) map[string][]byte {
	gen, err := genTNIFile(4 << 20).MarshalTNI(nil)
	if err != nil {
		b.Fatal(err)
	}
	inputs := map[string][]byte{"generated4MiB": gen}
	var largest []byte
	for _, data := range tniRealBinaries(b) {
		if len(data) > len(largest) {
			largest = data
		}
	}
	if largest != nil {
		f, err := ParseBinary(largest)
		if err != nil {
			b.Fatal(err)
		}
		out, _, err := f.MarshalTNIWith(TNIOptions{SkipUnrepresentable: true})
		if err != nil {
			b.Fatal(err)
		}
		inputs["largestReal"] = out
	}
	return inputs
}

// benchParseTNI times ParseTNI of data, with bytes/s counted in text bytes.
func benchParseTNI(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseTNI(data); err != nil {
			b.Fatal(err)
		}
	}
}

// eachTNIInput runs fn as a sub-benchmark on each input of
// tniBenchInputs, the real one first when present.
func eachTNIInput(b *testing.B, fn func(b *testing.B, data []byte)) {
	inputs := tniBenchInputs(b)
	for _, name := range []string{"largestReal", "generated4MiB"} {
		if data, ok := inputs[name]; ok {
			b.Run(name, func(b *testing.B) { fn(b, data) })
		}
	}
}

func BenchmarkTNIRead(b *testing.B) {
	eachTNIInput(b, func(b *testing.B, data []byte) {
		benchParseTNI(b, data)
		// The text size, so that B/op can be read as a multiple of it.
		b.ReportMetric(float64(len(data)), "textB/op")
	})
}

// BenchmarkTNIUnmarshal is TNIRead through UnmarshalTNI into one File
// reused across iterations (its memory taken again each time), the same
// contract as HexDecode's hex.Decode into a buffer the benchmark holds.
func BenchmarkTNIUnmarshal(b *testing.B) {
	eachTNIInput(b, func(b *testing.B, data []byte) {
		var f File
		if err := f.UnmarshalTNI(data); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if err := f.UnmarshalTNI(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkTNIReadShape reads a generated 1 MiB TNI file whose values all
// have one shape (tniShapes), to show which lines cost the reader most;
// line-ns is CPU time per physical line. Its reference is HexDecode in the
// same run (bytes per second).
func BenchmarkTNIReadShape(b *testing.B) {
	for shape, name := range tniShapes {
		data, err := genTNIShape(1<<20, shape).MarshalTNI(nil)
		if err != nil {
			b.Fatal(err)
		}
		lines := bytes.Count(data, []byte{'\n'})
		b.Run(name, func(b *testing.B) {
			benchParseTNI(b, data)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lines), "line-ns")
		})
	}
}

func BenchmarkTNIWrite(b *testing.B) {
	eachTNIInput(b, func(b *testing.B, data []byte) {
		f, err := ParseTNI(data)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := f.MarshalTNI(nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// hexBenchText returns n bytes of hexadecimal text (n even) and the n/2
// bytes it encodes, pseudo-random: the reference input of BenchmarkHexDecode
// and BenchmarkHexEncode.
func hexBenchText(n int) (text, raw []byte) {
	rng := rand.New(rand.NewPCG(5, 5))
	raw = make([]byte, n/2)
	for i := range raw {
		raw[i] = byte(rng.Uint32())
	}
	return []byte(hex.EncodeToString(raw)), raw
}

// BenchmarkHexDecode is the reference of BenchmarkTNIRead: encoding/hex
// Decode of as many text bytes as each TNI input has. MB/s counts text
// bytes, as for TNIRead.
func BenchmarkHexDecode(b *testing.B) {
	inputs := tniBenchInputs(b)
	for _, name := range []string{"largestReal", "generated4MiB"} {
		data, ok := inputs[name]
		if !ok {
			continue
		}
		text, _ := hexBenchText(len(data) &^ 1)
		dst := make([]byte, len(text)/2)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := hex.Decode(dst, text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHexEncode is the reference of BenchmarkTNIWrite: encoding/hex
// Encode producing as many text bytes as each TNI input has. MB/s counts
// text bytes, as for TNIWrite.
func BenchmarkHexEncode(b *testing.B) {
	inputs := tniBenchInputs(b)
	for _, name := range []string{"largestReal", "generated4MiB"} {
		data, ok := inputs[name]
		if !ok {
			continue
		}
		text, raw := hexBenchText(len(data) &^ 1)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				hex.Encode(text, raw)
			}
		})
	}
}

// BenchmarkTNICopy is the physical limit for the same bytes: copy.
func BenchmarkTNICopy(b *testing.B) {
	data := tniBenchInputs(b)["generated4MiB"]
	dst := make([]byte, len(data))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		copy(dst, data)
	}
}

// BenchmarkTNIAppend is BenchmarkTNIWrite through AppendTNI into one
// buffer reused across iterations: the same contract as hex.Encode in
// BenchmarkHexEncode (the output goes to memory the caller holds), without
// the allocation and garbage collection of a new 4 MiB output each time.
func BenchmarkTNIAppend(b *testing.B) {
	inputs := tniBenchInputs(b)
	for _, name := range []string{"largestReal", "generated4MiB"} {
		data, ok := inputs[name]
		if !ok {
			continue
		}
		f, err := ParseTNI(data)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var buf []byte
			for b.Loop() {
				out, _, err := f.AppendTNI(buf[:0], TNIOptions{})
				if err != nil {
					b.Fatal(err)
				}
				buf = out
			}
		})
	}
}
