package ini

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestMarshalListsEveryItem: every item over the binary limits is listed
// (up to MaxBinaryErrors, the rest counted), and a long name is a name too
// long, not a value or the file.
func TestMarshalListsEveryItem(t *testing.T) {
	big := func(n int) []byte { return bytes.Repeat([]byte{'x'}, n) }
	f := &File{Apps: []*Application{
		{Name: []byte("A"), Entries: []Entry{{Key: big(MaxNameLen + 1), Value: []byte("v")}, {Key: []byte("ok"), Value: []byte("v")}}},
		{Name: []byte("B"), Entries: []Entry{{Key: []byte("k"), Value: big(MaxValueLen + 1)}}},
		{Name: []byte("C\x00")},
	}}
	_, err := f.MarshalBinary()
	var be *BinaryError
	if !errors.As(err, &be) || be.Total != 3 || len(be.Items) != 3 {
		t.Fatalf("error %v; want a *BinaryError of 3 items", err)
	}
	for i, want := range []struct {
		is   []error
		isnt error
		text string
	}{
		{[]error{ErrTooLong, ErrNameTooLong}, ErrValueTooLong, `application "A" key "xxx`},
		{[]error{ErrTooLong, ErrValueTooLong}, ErrNameTooLong, `application "B" key "k": value of 65536 bytes exceeds 65535`},
		{[]error{ErrInvalidName}, ErrTooLong, `application "C\x00": application name contains NUL`},
	} {
		it := be.Items[i]
		for _, s := range want.is {
			if !errors.Is(it, s) {
				t.Errorf("item %d %q does not wrap %v", i, it, s)
			}
		}
		if errors.Is(it, want.isnt) || !strings.Contains(it.Error(), want.text) {
			t.Errorf("item %d = %q; want %q, not wrapping %v", i, it, want.text, want.isnt)
		}
	}
	if !strings.HasPrefix(err.Error(), "3 items cannot be written in the binary INI format: application \"A\" key") ||
		!strings.Contains(err.Error(), "key name of 65535 bytes exceeds 65534: too long for the binary INI format; application \"B\"") {
		t.Errorf("message %q", err)
	}
	if !errors.Is(err, ErrNameTooLong) || !errors.Is(err, ErrValueTooLong) || !errors.Is(err, ErrInvalidName) {
		t.Errorf("errors.Is does not see the items' sentinels: %v", err)
	}

	// more than MaxBinaryErrors: the first ones listed, the rest counted
	g := &File{}
	for i := range MaxBinaryErrors + 5 {
		g.Apps = append(g.Apps, &Application{Name: []byte(fmt.Sprintf("A%d\x00", i))})
	}
	_, err = g.MarshalBinary()
	if !errors.As(err, &be) || be.Total != MaxBinaryErrors+5 || len(be.Items) != MaxBinaryErrors ||
		!strings.HasSuffix(err.Error(), " (and 5 more)") {
		t.Errorf("capped: %v", err)
	}
}
