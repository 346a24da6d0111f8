package main

// A minimal RFC 6455 client: the opening handshake, masked client frames,
// unfragmented text messages from the server, ping -> pong, and the closing
// handshake. Fragmented and binary server messages are refused with a close
// frame (the party protocol sends neither).

import (
	"bufio"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	mrand "math/rand"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"
)

const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// Opcodes (RFC 6455 section 5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

// Close codes used by the client.
const (
	closeNormal          = 1000
	closeProtocolError   = 1002
	closeUnsupportedData = 1003
	closeTooBig          = 1009
)

var (
	errProtocol    = errors.New("websocket: protocol error")
	errTooBig      = errors.New("websocket: frame too large")
	errUnsupported = errors.New("websocket: fragmented or binary message (not supported)")
	errClosed      = errors.New("websocket: closed by peer")
)

// acceptKey is the Sec-WebSocket-Accept value the server must answer for key.
func acceptKey(key string) string {
	h := sha1.Sum([]byte(key + wsGUID))
	return base64.StdEncoding.EncodeToString(h[:])
}

// appendFrame appends one final frame (FIN set) with the given opcode. With
// masked, the payload is masked with mask (a client frame); without, it is
// copied as is (a server frame, used by the tests' fake server).
func appendFrame(dst []byte, opcode byte, payload []byte, masked bool, mask [4]byte) []byte {
	dst = append(dst, 0x80|opcode)
	var m byte
	if masked {
		m = 0x80
	}
	n := len(payload)
	switch {
	case n < 126:
		dst = append(dst, m|byte(n))
	case n <= 0xFFFF:
		dst = append(dst, m|126, byte(n>>8), byte(n))
	default:
		dst = append(dst, m|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	if !masked {
		return append(dst, payload...)
	}
	dst = append(dst, mask[:]...)
	start := len(dst)
	dst = append(dst, payload...)
	for i := range dst[start:] {
		dst[start+i] ^= mask[i&3]
	}
	return dst
}

// frame is one decoded frame; payload aliases the reader's buffer and is valid
// until the next readFrame.
type frame struct {
	fin     bool
	opcode  byte
	masked  bool
	payload []byte
}

// readFrame reads one frame. allowMasked accepts masked frames (as a server
// does); a client must refuse them. Frames over maxLen are refused from the
// header. buf is reused for the payload.
func readFrame(r *bufio.Reader, buf *[]byte, allowMasked bool, maxLen int) (frame, error) {
	var f frame
	var hdr [2]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return f, err
	}
	f.fin = hdr[0]&0x80 != 0
	if hdr[0]&0x70 != 0 { // RSV1-3: no extension was negotiated
		return f, errProtocol
	}
	f.opcode = hdr[0] & 0x0F
	f.masked = hdr[1]&0x80 != 0
	if f.masked && !allowMasked {
		return f, errProtocol
	}
	n := uint64(hdr[1] & 0x7F)
	switch n {
	case 126:
		var ext [2]byte
		if _, err := io.ReadFull(r, ext[:]); err != nil {
			return f, err
		}
		n = uint64(binary.BigEndian.Uint16(ext[:]))
	case 127:
		var ext [8]byte
		if _, err := io.ReadFull(r, ext[:]); err != nil {
			return f, err
		}
		n = binary.BigEndian.Uint64(ext[:])
		if n>>63 != 0 {
			return f, errProtocol
		}
	}
	switch f.opcode {
	case opContinuation, opText, opBinary:
	case opClose, opPing, opPong:
		if !f.fin || n > 125 {
			return f, errProtocol
		}
	default:
		return f, errProtocol
	}
	if n > uint64(maxLen) {
		return f, errTooBig
	}
	var mask [4]byte
	if f.masked {
		if _, err := io.ReadFull(r, mask[:]); err != nil {
			return f, err
		}
	}
	if cap(*buf) < int(n) {
		*buf = make([]byte, n)
	}
	p := (*buf)[:n]
	if _, err := io.ReadFull(r, p); err != nil {
		return f, err
	}
	if f.masked {
		for i := range p {
			p[i] ^= mask[i&3]
		}
	}
	f.payload = p
	return f, nil
}

// closePayload builds a close frame's payload: code and a short reason.
func closePayload(code int, reason string) []byte {
	if len(reason) > 123 {
		reason = reason[:123]
	}
	b := []byte{byte(code >> 8), byte(code)}
	return append(b, reason...)
}

// wsConn is one client connection. Writes may come from any goroutine; reads
// belong to the single goroutine running readLoop.
type wsConn struct {
	c  net.Conn
	br *bufio.Reader

	wmu          sync.Mutex
	wbuf         []byte
	rng          *mrand.Rand
	closeSent    bool
	writeTimeout time.Duration

	rbuf []byte
}

// tlsConfig is the client configuration for wss:// URLs; main sets its roots
// from --ca (nil roots: the system's).
var tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}

// dialWS connects to a ws:// or wss:// URL, adding token as the `token` query
// parameter (when not empty), and completes the TLS and opening handshakes
// within timeout.
func dialWS(rawURL, token string, timeout time.Duration) (*wsConn, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	defaultPort := "80"
	switch u.Scheme {
	case "ws":
	case "wss":
		defaultPort = "443"
	default:
		return nil, fmt.Errorf("only ws:// and wss:// URLs are supported, not %q", rawURL)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), defaultPort)
	}
	if token != "" {
		q := u.Query()
		q.Set("token", token)
		u.RawQuery = q.Encode()
	}
	target := u.RequestURI()

	deadline := time.Now().Add(timeout)
	c, err := net.DialTimeout("tcp", host, timeout)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			c.Close()
		}
	}()
	_ = c.SetDeadline(deadline)
	if u.Scheme == "wss" {
		config := tlsConfig.Clone()
		config.ServerName = u.Hostname()
		secure := tls.Client(c, config)
		if err := secure.Handshake(); err != nil {
			return nil, fmt.Errorf("TLS handshake: %w", err)
		}
		c = secure
	}

	var nonce [16]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, err
	}
	key := base64.StdEncoding.EncodeToString(nonce[:])
	req := "GET " + target + " HTTP/1.1\r\n" +
		"Host: " + u.Host + "\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + key + "\r\n" +
		"Sec-WebSocket-Version: 13\r\n\r\n"
	if _, err := c.Write([]byte(req)); err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(c, 64<<10)
	if err := readHandshake(br, key); err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Time{})
	var seed [8]byte
	_, _ = rand.Read(seed[:])
	ok = true
	return &wsConn{
		c:            c,
		br:           br,
		rng:          mrand.New(mrand.NewSource(int64(binary.LittleEndian.Uint64(seed[:])))),
		writeTimeout: 5 * time.Second,
	}, nil
}

// readHandshake reads the server's response head and checks that it accepts
// the upgrade for key.
func readHandshake(br *bufio.Reader, key string) error {
	status, err := readLine(br)
	if err != nil {
		return fmt.Errorf("handshake: %w", err)
	}
	parts := strings.SplitN(status, " ", 3)
	if len(parts) < 2 || !strings.HasPrefix(parts[0], "HTTP/1.") {
		return fmt.Errorf("handshake: bad status line %q", status)
	}
	if parts[1] != "101" {
		return fmt.Errorf("handshake refused: %s", status)
	}
	var upgrade, connection, accept bool
	for i := 0; ; i++ {
		if i > 100 {
			return errors.New("handshake: too many header lines")
		}
		line, err := readLine(br)
		if err != nil {
			return fmt.Errorf("handshake: %w", err)
		}
		if line == "" {
			break
		}
		name, value, found := strings.Cut(line, ":")
		if !found {
			return fmt.Errorf("handshake: bad header line %q", line)
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "upgrade":
			upgrade = strings.EqualFold(value, "websocket")
		case "connection":
			for _, tok := range strings.Split(value, ",") {
				if strings.EqualFold(strings.TrimSpace(tok), "upgrade") {
					connection = true
				}
			}
		case "sec-websocket-accept":
			accept = value == acceptKey(key)
		}
	}
	switch {
	case !upgrade:
		return errors.New("handshake: no Upgrade: websocket")
	case !connection:
		return errors.New("handshake: no Connection: Upgrade")
	case !accept:
		return errors.New("handshake: wrong or missing Sec-WebSocket-Accept")
	}
	return nil
}

func readLine(br *bufio.Reader) (string, error) {
	var sb strings.Builder
	for {
		chunk, isPrefix, err := br.ReadLine()
		if err != nil {
			return "", err
		}
		sb.Write(chunk)
		if sb.Len() > 8192 {
			return "", errors.New("header line too long")
		}
		if !isPrefix {
			return sb.String(), nil
		}
	}
}

// writeFrame sends one masked frame (one write system call).
func (w *wsConn) writeFrame(opcode byte, payload []byte) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	if w.closeSent {
		return errors.New("websocket: close already sent")
	}
	if opcode == opClose {
		w.closeSent = true
	}
	var mask [4]byte
	binary.LittleEndian.PutUint32(mask[:], w.rng.Uint32())
	w.wbuf = appendFrame(w.wbuf[:0], opcode, payload, true, mask)
	if w.writeTimeout > 0 {
		_ = w.c.SetWriteDeadline(time.Now().Add(w.writeTimeout))
	}
	_, err := w.c.Write(w.wbuf)
	return err
}

// WriteText sends one text message.
func (w *wsConn) WriteText(msg []byte) error { return w.writeFrame(opText, msg) }

// SendClose starts the closing handshake (no-op if a close was already sent).
func (w *wsConn) SendClose(code int, reason string) error {
	w.wmu.Lock()
	sent := w.closeSent
	w.wmu.Unlock()
	if sent {
		return nil
	}
	return w.writeFrame(opClose, closePayload(code, reason))
}

// Close closes the TCP connection at once.
func (w *wsConn) Close() error { return w.c.Close() }

// readLoop reads frames until the connection ends, calling onText with each
// text message and the time it was read. It answers pings, echoes a server's
// close, and refuses what the client does not support with a close frame.
// It returns errClosed after a closing handshake, or the error that ended it.
func (w *wsConn) readLoop(maxLen int, onText func(msg []byte, at time.Time)) error {
	for {
		f, err := readFrame(w.br, &w.rbuf, false, maxLen)
		if err != nil {
			switch err {
			case errProtocol:
				_ = w.SendClose(closeProtocolError, "protocol error")
			case errTooBig:
				_ = w.SendClose(closeTooBig, "message too big")
			}
			return err
		}
		switch f.opcode {
		case opText:
			if !f.fin {
				_ = w.SendClose(closeUnsupportedData, "fragmented messages not supported")
				return errUnsupported
			}
			onText(f.payload, time.Now())
		case opBinary:
			_ = w.SendClose(closeUnsupportedData, "binary messages not supported")
			return errUnsupported
		case opContinuation:
			_ = w.SendClose(closeProtocolError, "continuation without a message")
			return errProtocol
		case opPing:
			_ = w.writeFrame(opPong, f.payload)
		case opPong:
		case opClose:
			code := closeNormal
			if len(f.payload) >= 2 {
				code = int(binary.BigEndian.Uint16(f.payload))
			}
			_ = w.SendClose(code, "")
			return errClosed
		}
	}
}
