#ifndef PARTYHUB_COPENSSL_SHIM_H
#define PARTYHUB_COPENSSL_SHIM_H
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/err.h>

// OpenSSL spells these as macros over SSL_CTX_ctrl and friends, which Swift cannot import:
// small inline functions give them types.

static inline int partyhub_ssl_ctx_set_protocol_range_tls12_tls13(SSL_CTX *context) {
    return SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) == 1
        && SSL_CTX_set_max_proto_version(context, TLS1_3_VERSION) == 1;
}

/// Partial writes (SSL_write returns once a record is out, so a blocked socket holds at most one
/// record back), a retry may pass the same bytes at another address, and idle connections
/// give their read and write buffers back.
static inline void partyhub_ssl_ctx_set_nonblocking_modes(SSL_CTX *context) {
    SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
}

/// No renegotiation (a TLS 1.2 client could otherwise make the server redo its most expensive
/// step at will), no compression (CRIME), and a peer that closes TCP without close_notify is
/// an end of stream, not an error: WebSocket and HTTP frame their own messages.
static inline void partyhub_ssl_ctx_set_server_options(SSL_CTX *context) {
    SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
}

/// Session resumption: the server-side cache for TLS 1.2 session ids, beside the session
/// tickets (on by default) that TLS 1.3 uses.
static inline void partyhub_ssl_ctx_enable_session_cache(SSL_CTX *context, long size) {
    SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(context, size);
}

/// Reads as much as the socket holds into OpenSSL's buffer (fewer read calls per record).
static inline void partyhub_ssl_ctx_set_read_ahead(SSL_CTX *context) {
    SSL_CTX_set_read_ahead(context, 1);
}

/// Carries the session-ticket keys (name, HMAC and AES keys: 80 bytes) from one context to
/// the next, so tickets issued before a certificate reload still resume after it.
static inline int partyhub_ssl_ctx_copy_ticket_keys(SSL_CTX *from, SSL_CTX *to) {
    unsigned char keys[80];
    int copied = SSL_CTX_get_tlsext_ticket_keys(from, keys, sizeof(keys)) == 1
        && SSL_CTX_set_tlsext_ticket_keys(to, keys, sizeof(keys)) == 1;
    OPENSSL_cleanse(keys, sizeof(keys));
    return copied;
}

static inline long partyhub_ssl_session_reused(SSL *ssl) {
    return SSL_session_reused(ssl);
}

/// The one application protocol the server speaks: HTTP/1.1 (RFC 7301 §3.2). A client that
/// offers ALPN without it gets no ALPN answer rather than a failed handshake.
static int partyhub_alpn_select_http11(SSL *ssl, const unsigned char **out, unsigned char *out_length,
                                       const unsigned char *offered, unsigned int offered_length, void *argument) {
    (void)ssl;
    (void)argument;
    static const unsigned char supported[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    unsigned char *selected = NULL;
    if (SSL_select_next_proto(&selected, out_length, supported, sizeof(supported), offered, offered_length)
        != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_NOACK;
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

static inline void partyhub_ssl_ctx_select_http11(SSL_CTX *context) {
    SSL_CTX_set_alpn_select_cb(context, partyhub_alpn_select_http11, NULL);
}

/// The client side, for tests: ask for http/1.1 by ALPN.
static inline int partyhub_ssl_set_alpn_http11(SSL *ssl) {
    static const unsigned char offered[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    return SSL_set_alpn_protos(ssl, offered, sizeof(offered));
}

static inline int partyhub_ssl_ctx_set_client_version_range(SSL_CTX *context, int minimum, int maximum) {
    return SSL_CTX_set_min_proto_version(context, minimum) == 1 && SSL_CTX_set_max_proto_version(context, maximum) == 1;
}

/// The client side: the name a client asks for (SNI, RFC 6066 §3), so a server or a proxy with
/// several certificates picks the right one.
static inline int partyhub_ssl_set_server_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}
#endif
