package client

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/inilua/inilua/server"
)

// TestTLS runs a session over TLS (package server behind a TLS listener,
// a self-signed certificate made here).
func TestTLS(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	cert, err := x509.ParseCertificate(der)
	must(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)

	pw := "secret"
	srv := &server.Server{Volumes: map[byte]string{'C': t.TempDir()}, Password: &pw}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	tl := tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(tl) }()
	defer func() {
		ctx, cancel := context.WithTimeout(bg, 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	}()

	s, err := Dial(bg, l.Addr().String(), Options{Password: "secret", TLS: &tls.Config{RootCAs: pool}})
	must(t, err)
	defer s.Close()
	must(t, s.Chdir(bg, "C:"))
	f, err := s.Open(bg, "t.ini")
	must(t, err)
	must(t, f.Put(b("a"), b("k"), b("v")))
	if v, err := f.Get(b("a"), b("k")); err != nil || string(v) != "v" {
		t.Errorf("Get over TLS = %q, %v", v, err)
	}
	// an untrusted certificate is refused
	if _, err := Dial(bg, l.Addr().String(), Options{Password: "secret", TLS: &tls.Config{}}); err == nil {
		t.Error("Dial accepted an untrusted certificate")
	}
}
