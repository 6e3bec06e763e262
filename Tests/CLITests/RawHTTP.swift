import Foundation

/// An HTTP/1.1 client over a plain socket, for tests that must send what no well-behaved client sends: a body of
/// tens of megabytes written chunk by chunk from one small buffer (so the test itself holds no such body), to a
/// server that may answer and close before the body is done.
enum RawHTTP {
    struct Response {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: Data
        func header(_ name: String) -> [String] { headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value) }
        var text: String { String(decoding: body, as: UTF8.self) }
        /// `name=value` of each cookie set, for the next request's Cookie header.
        var cookies: [String: String] {
            var out: [String: String] = [:]
            for c in header("Set-Cookie") {
                let pair = c.prefix { $0 != ";" }
                guard let eq = pair.firstIndex(of: "=") else { continue }
                out[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
            }
            return out
        }
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Sends `method path` with `headers`, then `bodyLength` bytes made of `chunk` repeated (the last one cut), and
    /// reads the answer. A write the server refuses (it answered early and closed) ends the body; the answer is still read.
    static func send(port: Int, _ method: String, _ path: String, headers: [String: String] = [:], body: Data = Data(),
                     repeating chunk: Data? = nil, bodyLength: Int? = nil) throws -> Response? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect: \(errno)") }
        let length = bodyLength ?? body.count
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if method != "GET" { head += "Content-Length: \(length)\r\n" }
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        head += "\r\n"
        guard write(fd, Data(head.utf8)) else { return nil }
        if let chunk {
            var left = length
            while left > 0, write(fd, chunk.prefix(left)) { left -= min(left, chunk.count) }
        } else {
            _ = write(fd, body)
        }
        return try read(fd)
    }

    /// Writes all of `data`; false once the connection refuses more.
    static func write(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if n <= 0 { return false }
                sent += n
            }
            return true
        }
    }

    static func read(_ fd: Int32) throws -> Response? {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
            if data.count > 32 << 20 { throw Failure(description: "answer over 32 MB") }
        }
        guard let end = data.range(of: Data("\r\n\r\n".utf8)) else { return nil }
        let lines = String(decoding: data[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        guard let status = lines.first?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
        let headers = lines.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return Response(status: status, headers: headers, body: data[end.upperBound...])
    }

    static func cookieHeader(_ cookies: [String: String]) -> String {
        cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
    }

    /// A multipart form: text fields, then one file.
    static func multipart(fields: [(String, String)], file: (field: String, name: String, type: String, data: Data)) -> (contentType: String, body: Data) {
        let boundary = "jiuzhu-\(UUID().uuidString)"
        var body = Data()
        for (k, v) in fields {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n".utf8))
        }
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.name)\"\r\nContent-Type: \(file.type)\r\n\r\n".utf8))
        body.append(file.data)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        return ("multipart/form-data; boundary=\(boundary)", body)
    }
}
