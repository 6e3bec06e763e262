import Foundation

/// The address a request came from. Behind a reverse proxy the connection is the proxy's, and the client's address is
/// in `X-Forwarded-For`, which anyone can also write: it is believed only when the connection is from a configured
/// proxy, and then read from the right (each proxy appends the address it saw) up to the first address that is not
/// one of ours. Anything that is not an address there is not believed either.
enum ClientAddress {
    static func resolve(remote: String?, forwardedFor: [String], trusted: Set<String>) -> String? {
        guard let remote, trusted.contains(remote) else { return remote }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() where !trusted.contains(hop) {
            return isIPAddress(hop) ? hop : remote
        }
        return remote
    }

    /// An IPv4 or IPv6 address in its usual text form, as the C library reads one.
    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
