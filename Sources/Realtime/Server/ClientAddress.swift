import Glibc
import Protocol

/// The address a client is counted under by the per-address limits: the socket's peer, or,
/// when the peer is a trusted proxy, the client its `X-Forwarded-For` names.
enum ClientAddress {
    /// The peer address of a connected socket as text (`203.0.113.7`, `2001:db8::1`; an
    /// IPv4-mapped IPv6 peer as its IPv4 text), or `unknown` when the system cannot say.
    static func peer(of fd: Int32) -> String {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard result == 0 else { return "unknown" }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            var address = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            }
            guard inet_ntop(AF_INET, &address, &text, socklen_t(text.count)) != nil else { return "unknown" }
        case AF_INET6:
            var address = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            }
            guard inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)) != nil else { return "unknown" }
        default:
            return "unknown"
        }
        let address = String(cString: text)
        // A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d; count them as a.b.c.d so
        // `--trusted-proxies` and the limits see one spelling.
        return address.hasPrefix("::ffff:") && address.contains(".") ? String(address.dropFirst(7)) : address
    }

    /// The client a request is counted under. From a trusted proxy, `X-Forwarded-For` is read
    /// from the right (each proxy appends the address it saw): the first entry that is not
    /// itself a trusted proxy is the client. From anyone else the header is ignored, since a
    /// client could write any address there.
    static func of(_ request: HTTPRequest, peer: String, trustedProxies: [String]) -> String {
        guard !trustedProxies.isEmpty, trustedProxies.contains(peer), let forwarded = request.header("x-forwarded-for") else {
            return peer
        }
        var client = peer
        for entry in forwarded.split(separator: ",").reversed() {
            let address = entry.trimmingCharacters(in: " \t")
            guard !address.isEmpty, address.utf8.count <= 64 else { break }
            client = address
            if !trustedProxies.contains(address) { break }
        }
        return client
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in characters: String) -> String {
        var slice = self
        while let first = slice.first, characters.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, characters.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
