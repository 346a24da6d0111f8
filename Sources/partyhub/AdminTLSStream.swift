import COpenSSL
import Glibc
import Realtime

/// `partyhub admin` over https://: OpenSSL on the command's connected, blocking socket (its
/// SO_RCVTIMEO and SO_SNDTIMEO bound every read and write). The server's chain must lead to a
/// root the system trusts, or to `--ca`, and name the URL's host (an address is checked as an
/// address); TLS 1.2 or 1.3. An answer cut short without TLS's close_notify is an error, not
/// an answer, so a truncated JSON never passes for a whole one.
final class AdminTLSStream {
    private let context: OpaquePointer
    private let ssl: OpaquePointer

    init(fd: Int32, host: String, trustedRoot: String?) throws {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw AdminCommand.Failure(description: "cannot make a TLS context") }
        ERR_clear_error()
        // The context is set up before the session is made from it: a session copies the
        // context's version range when it is made, not later.
        if let problem = Self.configure(context, trustedRoot: trustedRoot) {
            SSL_CTX_free(context)
            throw AdminCommand.Failure(description: problem)
        }
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            throw AdminCommand.Failure(description: "cannot make a TLS session")
        }
        self.context = context
        self.ssl = ssl
        // Both are set: from here on `deinit` frees them, also when this throws.
        SSL_set_verify(ssl, SSL_VERIFY_PEER, nil)
        if Self.isAddress(host) {
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1 else {
                throw AdminCommand.Failure(description: "cannot check the certificate for \(host)")
            }
        } else {
            guard SSL_set1_host(ssl, host) == 1, partyhub_ssl_set_server_name(ssl, host) == 1 else {
                throw AdminCommand.Failure(description: "cannot check the certificate for \(host)")
            }
        }
        _ = partyhub_ssl_set_alpn_http11(ssl)
        SSL_set_fd(ssl, fd)
        let connected = SSL_connect(ssl)
        let code = errno
        guard connected == 1 else {
            let verified = SSL_get_verify_result(ssl)
            let reason: String
            if verified != X509_V_OK {
                reason = "the server's certificate: \(String(cString: X509_verify_cert_error_string(verified)))"
            } else if SSL_get_error(ssl, connected) == SSL_ERROR_SYSCALL && code == 0 {
                // A server past its per-address handshake rate closes before answering.
                reason = "the server closed the connection (is this address past its --ip-handshake-rate?)"
            } else {
                reason = failure(of: connected)
            }
            throw AdminCommand.Failure(description: "TLS handshake with \(host) failed: \(reason)")
        }
    }

    /// TLS 1.2 and 1.3 only, and the roots a chain must lead to; nil, or what failed.
    private static func configure(_ context: OpaquePointer, trustedRoot: String?) -> String? {
        guard partyhub_ssl_ctx_set_client_version_range(context, TLS1_2_VERSION, TLS1_3_VERSION) != 0 else {
            return "cannot limit TLS to 1.2 and 1.3: \(OpenSSLErrorQueue.takeText())"
        }
        let rootsLoaded =
            trustedRoot.map { SSL_CTX_load_verify_locations(context, $0, nil) } ?? SSL_CTX_set_default_verify_paths(context)
        guard rootsLoaded == 1 else {
            return "cannot load \(trustedRoot ?? "the system's trusted roots"): \(OpenSSLErrorQueue.takeText())"
        }
        return nil
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            ERR_clear_error()
            let written = bytes[sent...].withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32(clamping: $0.count)) }
            guard written > 0 else { throw AdminCommand.Failure(description: "sending the request: \(failure(of: written))") }
            sent += Int(written)
        }
    }

    /// Reads into `buffer`: the byte count, or 0 at the end of the answer (the server's close_notify).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        ERR_clear_error()
        let count = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        if count > 0 { return Int(count) }
        if SSL_get_error(ssl, count) == SSL_ERROR_ZERO_RETURN { return 0 }
        throw AdminCommand.Failure(description: "reading the answer: \(failure(of: count))")
    }

    private func failure(of result: Int32) -> String {
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_SYSCALL:
            let code = errno
            return code == 0 ? "the connection ended without TLS's close_notify" : String(cString: strerror(code))
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return "timed out"
        default: return OpenSSLErrorQueue.takeText()
        }
    }

    private static func isAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
