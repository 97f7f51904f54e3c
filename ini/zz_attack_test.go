package ini

import (
	"bytes"
	"encoding/binary"
	"runtime"
	"strings"
	"testing"
	"time"
)

func atkMem(t *testing.T, name string, fn func()) {
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	st := time.Now()
	fn()
	runtime.ReadMemStats(&m1)
	t.Logf("%s: %v, alloc %d MB", name, time.Since(st), (m1.TotalAlloc-m0.TotalAlloc)>>20)
}

func TestZZAttack(t *testing.T) {
	// big decimal token with wide width
	for _, n := range []int{100000, 4000000} {
		src := "[A]\n k=(65535)" + strings.Repeat("9", n) + "\n[/A]\n"
		atkMem(t, "bigtok", func() { _, err := ParseTNI([]byte(src)); t.Log(err != nil, errStr(err)) })
	}
	// shared values in binary
	le := binary.LittleEndian
	nk := 20000
	size := 20 + 20 + 2 + 24*nk + 2 + 65535 + 4*nk
	b := make([]byte, size)
	copy(b, binSignature)
	le.PutUint32(b[4:], 20)
	le.PutUint32(b[8:], uint32(size))
	a := b[20:]
	le.PutUint32(a[4:], 42)
	le.PutUint16(a[12:], 2)
	le.PutUint16(a[14:], 2)
	le.PutUint32(a[16:], 40)
	b[40] = 'A'
	keyName := uint32(42 + 24*nk)
	b[keyName] = 'k'
	val := keyName + 2
	for i := 0; i < nk; i++ {
		r := b[42+24*i:]
		if i < nk-1 {
			le.PutUint32(r, uint32(42+24*(i+1)))
		}
		nm := val + 65535 + uint32(4*i)
		le.PutUint16(b[nm:], uint16(i+1))
		le.PutUint16(r[8:], 4)
		le.PutUint16(r[10:], 4)
		le.PutUint32(r[12:], nm)
		le.PutUint16(r[16:], 65535)
		le.PutUint16(r[18:], 65535)
		le.PutUint32(r[20:], val)
	}
	t.Logf("file size %d", size)
	atkMem(t, "sharedvals", func() {
		f, err := ParseBinary(b)
		t.Log(errStr(err))
		if f != nil {
			t.Log(len(f.Apps), len(f.Apps[0].Entries))
			atkMem(t, "tni", func() { d, _, err := f.MarshalTNIWith(TNIOptions{SkipUnrepresentable: true}); t.Log(len(d), errStr(err)) })
		}
	})
	_ = bytes.Equal
}

func errStr(err error) string {
	if err == nil {
		return "<nil>"
	}
	s := err.Error()
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
