package ini

import (
	"bytes"
	"testing"
)

// BenchmarkParseWarn measures what ParseWarn's diagnostics (the long-line
// scan for TNI, the collected warnings for binary INI) cost over Parse, on
// the same inputs as BenchmarkTNIRead; "parse" is the reference of the
// ratio. Run with
//
//	go test -run '^$' -bench 'ParseWarn' -benchmem -count 3 ./ini
func BenchmarkParseWarn(b *testing.B) {
	data := tniBenchInputs(b)["generated4MiB"]
	warn := func(*FormatError) {}
	for _, c := range []struct {
		name string
		warn func(*FormatError)
	}{{"parse", nil}, {"warn", warn}} {
		b.Run("tni/"+c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseWarn("B.TNI", data, FormatTNI, c.warn); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLongLineScan measures the long-line scan alone against
// bytes.Count of the LFs of the same text (the reference of the ratio: one
// memchr pass). Run with
//
//	go test -run '^$' -bench 'LongLineScan' -benchmem -count 3 ./ini
func BenchmarkLongLineScan(b *testing.B) {
	data := tniBenchInputs(b)["generated4MiB"]
	b.Run("count", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if bytes.Count(data, []byte{'\n'}) == 0 {
				b.Fatal("no lines")
			}
		}
	})
	b.Run("scan", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			tniLongLines(data, func(*FormatError) { b.Fatal("a long line") })
		}
	})
}
