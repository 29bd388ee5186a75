import CCurlLoader
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The state of one running transfer, reached from libcurl's callbacks through their context
/// pointer. Lives for one `CurlClient.perform` call on one thread; not shared.
final class CurlTransfer {
    let requestBody: HTTPRequest.Body
    let sink: HTTPResponseSink
    var status = 0
    var headers: [HTTPHeader] = []
    var body: [UInt8] = []
    var received: Int64 = 0
    var uploaded = 0
    var failure: HTTPError?

    init(body: HTTPRequest.Body, sink: HTTPResponseSink) {
        self.requestBody = body
        self.sink = sink
    }

    /// One header line (or a status line, which starts a new header block after a redirect or 100).
    func header(_ line: UnsafeBufferPointer<UInt8>) {
        var end = line.count
        while end > 0, line[end - 1] == 13 || line[end - 1] == 10 { end -= 1 }
        let text = String(decoding: UnsafeBufferPointer(rebasing: line[..<end]), as: UTF8.self)
        if text.hasPrefix("HTTP/") {
            headers = []
            let parts = text.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            return
        }
        guard let colon = text.firstIndex(of: ":") else { return }
        let name = text[..<colon].lowercased()
        let value = text[text.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
        var trimmed = Substring(value)
        while let last = trimmed.last, last == " " || last == "\t" { trimmed.removeLast() }
        headers.append(HTTPHeader(name, String(trimmed)))
    }

    /// Body bytes; returns false to make libcurl abort.
    func write(_ data: UnsafeBufferPointer<UInt8>) -> Bool {
        received += Int64(data.count)
        switch sink {
        case .memory(let limit):
            guard body.count + data.count <= limit else {
                failure = HTTPError(.localIO, "the response body is longer than \(limit) bytes")
                return false
            }
            body.append(contentsOf: data)
        case .file(let descriptor):
            guard (200..<300).contains(status) else {
                body.append(contentsOf: data.prefix(max(0, 65_536 - body.count)))
                return true
            }
            var offset = 0
            while offset < data.count {
                let written = Glibc.write(descriptor, data.baseAddress! + offset, data.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = HTTPError(.localIO, "writing the response body: \(String(cString: strerror(errno)))")
                    return false
                }
                offset += written
            }
        }
        return true
    }

    /// Fills `buffer` with the next request-body bytes; returns how many, or nil to abort.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        switch requestBody {
        case .none: return 0
        case .bytes(let bytes):
            let count = min(buffer.count, bytes.count - uploaded)
            bytes.withUnsafeBytes { source in
                buffer.baseAddress!.copyMemory(from: source.baseAddress! + uploaded, byteCount: count)
            }
            uploaded += count
            return count
        case .file(let descriptor, let length):
            let wanted = Int(min(Int64(buffer.count), length - Int64(uploaded)))
            guard wanted > 0 else { return 0 }
            while true {
                let got = Glibc.read(descriptor, buffer.baseAddress!, wanted)
                if got < 0 && errno == EINTR { continue }
                guard got > 0 else {
                    failure = HTTPError(.localIO, got == 0 ? "the request body ended after \(uploaded) of \(length) bytes"
                                        : "reading the request body: \(String(cString: strerror(errno)))")
                    return nil
                }
                uploaded += got
                return got
            }
        }
    }
}

private func transfer(_ context: UnsafeMutableRawPointer?) -> CurlTransfer {
    Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
}

let curlHeaderCallback: mlci_curl_data_callback = { buffer, size, count, context in
    let length = size * count
    guard let buffer else { return length }
    transfer(context).header(UnsafeBufferPointer(start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: length))
    return length
}

let curlWriteCallback: mlci_curl_data_callback = { buffer, size, count, context in
    let length = size * count
    guard let buffer, length > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: length)
    return transfer(context).write(bytes) ? length : 0
}

/// `CURL_READFUNC_ABORT`.
private let readAbort = 0x1000_0000

let curlReadCallback: mlci_curl_data_callback = { buffer, size, count, context in
    guard let buffer else { return readAbort }
    let target = UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(buffer), count: size * count)
    return transfer(context).read(into: target) ?? readAbort
}
