package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
)

// jwtHeader is the JOSE header of every token the bot mints.
const jwtHeader = `{"alg":"HS256","typ":"JWT"}`

// signJWS returns the compact JWS serialization of header and payload (raw
// JSON bytes) signed with HMAC-SHA256 over key (RFC 7515 section 7.1).
func signJWS(key, header, payload []byte) string {
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(input))
	return input + "." + enc.EncodeToString(mac.Sum(nil))
}

// playerToken mints the HS256 token of one player: {"sub":sub,"exp":exp}.
// sub must already be a valid player id ([A-Za-z0-9_.:-]{1,64}), which needs
// no JSON escaping.
func playerToken(secret []byte, sub string, exp int64) string {
	payload := `{"sub":"` + sub + `","exp":` + strconv.FormatInt(exp, 10) + `}`
	return signJWS(secret, []byte(jwtHeader), []byte(payload))
}

// validPlayerID reports whether id matches [A-Za-z0-9_.:-]{1,64}.
func validPlayerID(id string) bool {
	if len(id) < 1 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '_' || c == '.' || c == ':' || c == '-':
		default:
			return false
		}
	}
	return true
}
