package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// RFC 7515 appendix A.1: the HS256 example, with its exact header and
// payload bytes (CRLF line breaks included) and its JWK key.
func TestRFC7515A1(t *testing.T) {
	header := "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}"
	payload := "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}"
	key, err := base64.RawURLEncoding.DecodeString(
		"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
	if err != nil {
		t.Fatal(err)
	}
	want := "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9" +
		".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ" +
		".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	if got := signJWS(key, []byte(header), []byte(payload)); got != want {
		t.Fatalf("signJWS:\n got %s\nwant %s", got, want)
	}
}

func TestPlayerToken(t *testing.T) {
	secret := []byte("partyhub-bench-secret-0123456789")
	tok := playerToken(secret, "churn-g3-p1", 1763758800)
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q", tok)
	}
	dec := func(s string) []byte {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("decode %q: %v", s, err)
		}
		return b
	}
	var hdr struct{ Alg, Typ string }
	if err := json.Unmarshal(dec(parts[0]), &hdr); err != nil || hdr.Alg != "HS256" {
		t.Fatalf("header %s (%v)", dec(parts[0]), err)
	}
	var claims struct {
		Sub string `json:"sub"`
		Exp int64  `json:"exp"`
	}
	if err := json.Unmarshal(dec(parts[1]), &claims); err != nil || claims.Sub != "churn-g3-p1" || claims.Exp != 1763758800 {
		t.Fatalf("claims %s (%v)", dec(parts[1]), err)
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(mac.Sum(nil), dec(parts[2])) {
		t.Fatal("signature does not verify")
	}
	if strings.ContainsAny(tok, "+/=") {
		t.Fatal("token is not base64url without padding")
	}
}

func TestValidPlayerID(t *testing.T) {
	for _, id := range []string{"a", "churn-g199-p4", "A.b:c_d-9", strings.Repeat("x", 64)} {
		if !validPlayerID(id) {
			t.Errorf("%q refused", id)
		}
	}
	for _, id := range []string{"", "a b", "é", strings.Repeat("x", 65), `a"b`} {
		if validPlayerID(id) {
			t.Errorf("%q accepted", id)
		}
	}
}
