package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// RFC 6455 section 1.3 (the RFC's own value; the same as the server's tests).
func TestAcceptKey(t *testing.T) {
	if got, want := acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; got != want {
		t.Fatalf("acceptKey = %q, want %q", got, want)
	}
}

var rfcMask = [4]byte{0x37, 0xfa, 0x21, 0x3d}

// The examples of RFC 6455 section 5.7.
func TestEncodeRFCExamples(t *testing.T) {
	cases := []struct {
		name    string
		opcode  byte
		payload []byte
		masked  bool
		want    []byte
	}{
		{"unmasked text", opText, []byte("Hello"), false,
			[]byte{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}},
		{"masked text", opText, []byte("Hello"), true,
			[]byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}},
		{"unmasked ping", opPing, []byte("Hello"), false,
			[]byte{0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}},
		{"masked pong", opPong, []byte("Hello"), true,
			[]byte{0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}},
	}
	for _, c := range cases {
		got := appendFrame(nil, c.opcode, c.payload, c.masked, rfcMask)
		if !bytes.Equal(got, c.want) {
			t.Errorf("%s: got % x, want % x", c.name, got, c.want)
		}
	}
}

func TestEncodeLengths(t *testing.T) {
	for _, n := range []int{0, 125, 126, 256, 65535, 65536, 70000} {
		payload := bytes.Repeat([]byte{'a'}, n)
		f := appendFrame(nil, opBinary, payload, false, rfcMask)
		var hdr []byte
		switch {
		case n < 126:
			hdr = []byte{0x82, byte(n)}
		case n <= 0xFFFF:
			hdr = []byte{0x82, 126, byte(n >> 8), byte(n)}
		default:
			hdr = append([]byte{0x82, 127}, binary.BigEndian.AppendUint64(nil, uint64(n))...)
		}
		if !bytes.Equal(f[:len(hdr)], hdr) || len(f) != len(hdr)+n {
			t.Errorf("length %d: header % x, total %d", n, f[:len(hdr)], len(f))
		}
	}
	// RFC 6455 5.7: 256 bytes binary in a single unmasked frame, and 64 KiB.
	if f := appendFrame(nil, opBinary, make([]byte, 256), false, rfcMask); !bytes.Equal(f[:4], []byte{0x82, 0x7E, 0x01, 0x00}) {
		t.Errorf("256 bytes: % x", f[:4])
	}
	if f := appendFrame(nil, opBinary, make([]byte, 65536), false, rfcMask); !bytes.Equal(f[:10], []byte{0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0}) {
		t.Errorf("64 KiB: % x", f[:10])
	}
}

func decodeAll(t *testing.T, data []byte, allowMasked bool) []frame {
	t.Helper()
	r := bufio.NewReader(bytes.NewReader(data))
	var out []frame
	for {
		var buf []byte
		f, err := readFrame(r, &buf, allowMasked, 1<<20)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("readFrame: %v", err)
		}
		f.payload = append([]byte(nil), f.payload...)
		out = append(out, f)
	}
}

func TestDecodeRFCExamples(t *testing.T) {
	// A fragmented unmasked text message: "Hel" then "lo".
	fs := decodeAll(t, []byte{0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f}, false)
	if len(fs) != 2 || fs[0].fin || fs[0].opcode != opText || string(fs[0].payload) != "Hel" ||
		!fs[1].fin || fs[1].opcode != opContinuation || string(fs[1].payload) != "lo" {
		t.Fatalf("fragmented: %+v", fs)
	}
	// A masked text frame, as a server reads it.
	fs = decodeAll(t, []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}, true)
	if len(fs) != 1 || !fs[0].masked || string(fs[0].payload) != "Hello" {
		t.Fatalf("masked: %+v", fs)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 125, 126, 1000, 65535, 65536, 200000} {
		payload := make([]byte, n)
		for i := range payload {
			payload[i] = byte(i * 7)
		}
		for _, masked := range []bool{false, true} {
			data := appendFrame(nil, opText, payload, masked, [4]byte{1, 2, 3, 4})
			fs := decodeAll(t, data, true)
			if len(fs) != 1 || fs[0].masked != masked || !bytes.Equal(fs[0].payload, payload) {
				t.Fatalf("n=%d masked=%v: round trip failed", n, masked)
			}
		}
	}
}

func TestDecodeRefusals(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"masked server frame", []byte{0x81, 0x85, 0, 0, 0, 0, 'H', 'e', 'l', 'l', 'o'}, errProtocol},
		{"rsv bit", []byte{0xC1, 0x00}, errProtocol},
		{"reserved opcode", []byte{0x83, 0x00}, errProtocol},
		{"fragmented ping", []byte{0x09, 0x00}, errProtocol},
		{"long ping", append([]byte{0x89, 126, 0, 126}, make([]byte, 126)...), errProtocol},
		{"64-bit length with top bit", []byte{0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0}, errProtocol},
		{"too big", append([]byte{0x82, 127}, binary.BigEndian.AppendUint64(nil, 2<<20)...), errTooBig},
		{"truncated", []byte{0x81, 0x05, 'H', 'e'}, io.ErrUnexpectedEOF},
	}
	for _, c := range cases {
		var buf []byte
		_, err := readFrame(bufio.NewReader(bytes.NewReader(c.data)), &buf, false, 1<<20)
		if err != c.want {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
}

// testServer accepts one TCP connection and hands it to handle.
func testServer(t *testing.T, handle func(c net.Conn, br *bufio.Reader)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		handle(c, bufio.NewReader(c))
	}()
	return "ws://" + ln.Addr().String() + "/api/v1/social/party/ws"
}

// serverHandshake reads a request head and answers 101 for its key.
func serverHandshake(t *testing.T, c net.Conn, br *bufio.Reader) (requestLine string) {
	var key string
	for i := 0; ; i++ {
		line, err := readLine(br)
		if err != nil {
			t.Errorf("server: %v", err)
			return
		}
		if i == 0 {
			requestLine = line
		}
		if line == "" {
			break
		}
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "Sec-WebSocket-Key") {
			key = strings.TrimSpace(v)
		}
	}
	io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "+acceptKey(key)+"\r\n\r\n")
	return requestLine
}

func TestClientPingCloseAndToken(t *testing.T) {
	got := make(chan string, 10)
	url := testServer(t, func(c net.Conn, br *bufio.Reader) {
		got <- serverHandshake(t, c, br)
		// A text message and a ping in the same write as the handshake's tail.
		var out []byte
		out = appendFrame(out, opText, []byte(`{"ev":"session.ready"}`), false, [4]byte{})
		out = appendFrame(out, opPing, []byte("p1"), false, [4]byte{})
		c.Write(out)
		var buf []byte
		for {
			f, err := readFrame(br, &buf, true, 1<<20)
			if err != nil {
				got <- "server error " + err.Error()
				return
			}
			if !f.masked {
				got <- "unmasked client frame"
			}
			switch f.opcode {
			case opPong:
				got <- "pong " + string(f.payload)
			case opText:
				got <- "text " + string(f.payload)
				c.Write(appendFrame(nil, opClose, closePayload(1000, "bye"), false, [4]byte{}))
			case opClose:
				got <- "close " + string(f.payload[2:])
				return
			}
		}
	})
	ws, err := dialWS(url, "abc.def.ghi", 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if line := <-got; line != "GET /api/v1/social/party/ws?token=abc.def.ghi HTTP/1.1" {
		t.Fatalf("request line %q", line)
	}
	texts := make(chan string, 10)
	done := make(chan error, 1)
	go func() { done <- ws.readLoop(1<<20, func(m []byte, _ time.Time) { texts <- string(m) }) }()
	if m := <-texts; m != `{"ev":"session.ready"}` {
		t.Fatalf("text %q", m)
	}
	if m := <-got; m != "pong p1" {
		t.Fatalf("server saw %q, want the pong", m)
	}
	if err := ws.WriteText([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	if m := <-got; m != "text hi" {
		t.Fatalf("server saw %q", m)
	}
	if err := <-done; err != errClosed {
		t.Fatalf("readLoop ended with %v, want errClosed", err)
	}
	if m := <-got; m != "close " {
		t.Fatalf("server saw %q, want the close echo", m)
	}
}

func TestClientRefusesFragments(t *testing.T) {
	got := make(chan []byte, 1)
	url := testServer(t, func(c net.Conn, br *bufio.Reader) {
		serverHandshake(t, c, br)
		c.Write([]byte{0x01, 0x03, 'H', 'e', 'l'}) // a first fragment
		var buf []byte
		f, err := readFrame(br, &buf, true, 1<<20)
		if err == nil && f.opcode == opClose {
			got <- append([]byte(nil), f.payload...)
		}
		close(got)
	})
	ws, err := dialWS(url, "", 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if err := ws.readLoop(1<<20, func([]byte, time.Time) { t.Error("fragment delivered") }); err != errUnsupported {
		t.Fatalf("readLoop: %v", err)
	}
	p := <-got
	if len(p) < 2 || binary.BigEndian.Uint16(p) != closeUnsupportedData {
		t.Fatalf("close payload % x, want code 1003", p)
	}
}

func TestHandshakeRefused(t *testing.T) {
	url := testServer(t, func(c net.Conn, br *bufio.Reader) {
		for {
			line, err := readLine(br)
			if err != nil || line == "" {
				break
			}
		}
		io.WriteString(c, "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")
	})
	_, err := dialWS(url, "bad", 2*time.Second)
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("err = %v, want a 401", err)
	}
}

func TestHandshakeWrongAccept(t *testing.T) {
	url := testServer(t, func(c net.Conn, br *bufio.Reader) {
		for {
			line, err := readLine(br)
			if err != nil || line == "" {
				break
			}
		}
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n")
	})
	if _, err := dialWS(url, "", 2*time.Second); err == nil || !strings.Contains(err.Error(), "Accept") {
		t.Fatalf("err = %v, want a wrong accept", err)
	}
}
