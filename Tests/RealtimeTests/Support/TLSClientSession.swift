import COpenSSL
import Foundation
import Glibc

/// The client side of TLS for tests: OpenSSL over a connected, blocking socket (reads honour
/// the socket's SO_RCVTIMEO). It verifies the server's chain against one trusted root and the
/// address 127.0.0.1, and asks for `http/1.1` by ALPN, as a browser would.
final class TLSClientSession {
    /// How the client is set up: the root it trusts and the versions it offers.
    struct Options {
        /// PEM root the server's chain must lead to (nil: no verification).
        var trustedRoot: String?
        var minimumVersion = Int32(TLS1_2_VERSION)
        var maximumVersion = Int32(TLS1_3_VERSION)
        /// A session to resume (a TLS 1.2 id or a TLS 1.3 ticket).
        var resuming: SavedSession?

        init(trustedRoot: String?) { self.trustedRoot = trustedRoot }
    }

    /// A session kept for resumption.
    final class SavedSession {
        let handle: OpaquePointer
        init(_ handle: OpaquePointer) { self.handle = handle }
        deinit { SSL_SESSION_free(handle) }
    }

    private let context: OpaquePointer
    private let ssl: OpaquePointer

    /// Makes the session and runs the handshake on `fd`; throws with OpenSSL's reason.
    init(fd: Int32, options: Options) throws {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw ClientError("SSL_CTX_new failed") }
        self.context = context
        // Versions below TLS 1.2 need OpenSSL's security level 0 on this side to be offered at
        // all; the server, not the client, must be the one that refuses them.
        if options.minimumVersion < TLS1_2_VERSION { SSL_CTX_set_cipher_list(context, "DEFAULT:@SECLEVEL=0") }
        _ = partyhub_ssl_ctx_set_client_version_range(context, options.minimumVersion, options.maximumVersion)
        if let root = options.trustedRoot {
            guard SSL_CTX_load_verify_locations(context, root, nil) == 1 else {
                SSL_CTX_free(context)
                throw ClientError("cannot load \(root): \(Self.errorText())")
            }
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        }
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            throw ClientError("SSL_new failed")
        }
        self.ssl = ssl
        if options.trustedRoot != nil { X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1") }
        _ = partyhub_ssl_set_alpn_http11(ssl)
        if let saved = options.resuming { SSL_set_session(ssl, saved.handle) }
        SSL_set_fd(ssl, fd)
        ERR_clear_error()
        // Every property is set: from here on `deinit` frees both, also when this throws.
        guard SSL_connect(ssl) == 1 else { throw ClientError("TLS handshake failed: \(Self.errorText())") }
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    /// "TLSv1.3", "TLSv1.2".
    var protocolVersion: String { String(cString: SSL_get_version(ssl)) }

    /// The protocol ALPN settled on ("" when none).
    var negotiatedApplicationProtocol: String {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return "" }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// The server certificate's subject common name.
    var peerCommonName: String {
        guard let certificate = SSL_get1_peer_certificate(ssl) else { return "" }
        defer { X509_free(certificate) }
        var name = [CChar](repeating: 0, count: 256)
        let length = X509_NAME_get_text_by_NID(
            X509_get_subject_name(certificate), NID_commonName, &name, Int32(name.count))
        guard length > 0 else { return "" }
        return String(decoding: name.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The stream ended in the middle of a TLS record (reads report it as the end of the stream).
    private(set) var endedInsideRecord = false

    /// Whether the handshake resumed the offered session.
    var resumedSession: Bool { partyhub_ssl_session_reused(ssl) == 1 }

    /// The session to resume later (for TLS 1.3, after a read has taken the server's ticket).
    func savedSession() -> SavedSession? { SSL_get1_session(ssl).map(SavedSession.init) }

    /// Writes all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var sent = 0
        while sent < bytes.count {
            ERR_clear_error()
            let result = SSL_write(ssl, bytes.baseAddress! + sent, Int32(bytes.count - sent))
            guard result > 0 else { throw ClientError("SSL_write: \(Self.errorText())") }
            sent += Int(result)
        }
    }

    /// Reads like recv(2): a count, 0 at the end of the stream, or -1 with errno set (EAGAIN on
    /// the socket's receive timeout, ECONNRESET on a TLS failure).
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        ERR_clear_error()
        let result = SSL_read(ssl, buffer.baseAddress, Int32(buffer.count))
        if result > 0 { return Int(result) }
        let systemError = errno
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_ZERO_RETURN:
            return 0
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            errno = EAGAIN
            return -1
        case SSL_ERROR_SYSCALL:
            if systemError == 0 { return 0 }
            errno = systemError
            return -1
        default:
            let code = ERR_peek_last_error()
            ERR_clear_error()
            // The stream ended inside a record: a server that drops a connection (a slow
            // consumer) cannot finish the record it was sending. What came before is whole.
            if ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING {
                endedInsideRecord = true
                return 0
            }
            errno = ECONNRESET
            return -1
        }
    }

    /// Sends close_notify.
    func shutdown() { _ = SSL_shutdown(ssl) }

    private static func errorText() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "no OpenSSL error (errno \(errno))" }
        var text = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &text, text.count)
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
