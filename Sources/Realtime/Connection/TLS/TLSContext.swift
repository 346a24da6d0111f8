import COpenSSL

/// A server's TLS settings as one OpenSSL `SSL_CTX`: the certificate chain and key (PEM), TLS
/// 1.2 and 1.3 only, modern cipher suites, ALPN `http/1.1`, and session resumption.
///
/// Immutable once made. A reload (SIGHUP) makes a new one and new connections take it; each
/// `SSL` holds its own reference to the `SSL_CTX` it began with, so connections made before
/// keep working after the old context is released here.
final class TLSContext: @unchecked Sendable {
    /// TLS 1.2 suites: ECDHE key exchange with AEAD ciphers only (Mozilla's "intermediate"
    /// without finite-field DHE). TLS 1.3's own suites are all AEAD and stay at their defaults.
    static let tls12CipherList =
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
        + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
    static let tls13CipherSuites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
    /// TLS 1.2 sessions the server remembers for resumption by id (TLS 1.3 uses tickets, which
    /// the server does not store).
    static let sessionCacheSize = 20_000

    /// The `SSL_CTX`, freed with this object (sessions made from it hold their own reference).
    let handle: OpaquePointer
    /// Where the certificate chain and key were read from (a reload reads them again).
    let certificatePath: String
    let privateKeyPath: String

    /// Reads the chain (leaf first, then intermediates) and the key, and checks they match.
    /// A reload passes the context it replaces as `previous`: its session-ticket keys carry
    /// over, so clients holding a ticket still resume. Throws a `ConfigurationError` that names
    /// the file and OpenSSL's reason.
    init(certificatePath: String, privateKeyPath: String, previous: TLSContext? = nil) throws {
        guard let method = TLS_server_method(), let handle = SSL_CTX_new(method) else {
            throw ConfigurationError("cannot make a TLS context: \(Self.takeErrorText())")
        }
        self.handle = handle
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        // From here on `deinit` frees the context, including when a check below throws.
        guard partyhub_ssl_ctx_set_protocol_range_tls12_tls13(handle) == 1 else {
            throw ConfigurationError("cannot limit TLS to 1.2 and 1.3: \(Self.takeErrorText())")
        }
        guard SSL_CTX_set_cipher_list(handle, Self.tls12CipherList) == 1,
            SSL_CTX_set_ciphersuites(handle, Self.tls13CipherSuites) == 1
        else {
            throw ConfigurationError("cannot set the TLS cipher suites: \(Self.takeErrorText())")
        }
        partyhub_ssl_ctx_set_server_options(handle)
        partyhub_ssl_ctx_set_nonblocking_modes(handle)
        partyhub_ssl_ctx_set_read_ahead(handle)
        partyhub_ssl_ctx_enable_session_cache(handle, Self.sessionCacheSize)
        let sessionIDContext = Array("partyhub".utf8)
        _ = SSL_CTX_set_session_id_context(handle, sessionIDContext, UInt32(sessionIDContext.count))
        partyhub_ssl_ctx_select_http11(handle)
        if let previous, partyhub_ssl_ctx_copy_ticket_keys(previous.handle, handle) != 1 {
            // Not fatal: clients with older tickets do one full handshake.
            ERR_clear_error()
        }
        guard SSL_CTX_use_certificate_chain_file(handle, certificatePath) == 1 else {
            throw ConfigurationError(
                "cannot read the TLS certificate chain \(certificatePath): \(Self.takeErrorText())")
        }
        guard SSL_CTX_use_PrivateKey_file(handle, privateKeyPath, SSL_FILETYPE_PEM) == 1 else {
            throw ConfigurationError("cannot read the TLS private key \(privateKeyPath): \(Self.takeErrorText())")
        }
        guard SSL_CTX_check_private_key(handle) == 1 else {
            throw ConfigurationError(
                "the TLS private key \(privateKeyPath) does not match the certificate \(certificatePath): "
                    + Self.takeErrorText())
        }
    }

    deinit { SSL_CTX_free(handle) }

    /// A fresh `SSL` for an accepted socket, in the server role; nil when OpenSSL is out of memory.
    func makeSession(fd: Int32) -> OpaquePointer? {
        guard let ssl = SSL_new(handle) else {
            ERR_clear_error()
            return nil
        }
        guard SSL_set_fd(ssl, fd) == 1 else {
            SSL_free(ssl)
            ERR_clear_error()
            return nil
        }
        SSL_set_accept_state(ssl)
        return ssl
    }

    /// The oldest error OpenSSL queued on this thread, as text, and an empty queue after it
    /// (a stale error would be misread as the cause of the next call's failure).
    static func takeErrorText() -> String { OpenSSLErrorQueue.takeText() }
}

/// This thread's OpenSSL error queue, for messages.
public enum OpenSSLErrorQueue {
    /// The first queued error's text, clearing the queue.
    public static func takeText() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "no OpenSSL error queued" }
        var text = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &text, text.count)
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
