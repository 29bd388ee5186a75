import CZlib

/// A read-only view of a zip file's members (PyTorch `.pt`, numpy `.npz`, Keras `.keras`),
/// from its central directory. Stored and deflated members are read with size limits; zip64
/// sizes and encrypted members are refused rather than guessed.
///
/// Borrows the bytes it was made from; not `Sendable` beyond that buffer's lifetime.
struct ZipArchive {
    struct Member {
        let name: String
        let method: UInt16
        let compressedSize: Int
        let uncompressedSize: Int
        let localHeaderOffset: Int
        let flags: UInt16
    }

    struct Malformed: Error { let message: String }

    let bytes: UnsafeRawBufferPointer
    let members: [Member]

    static func isZip(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 0x03 && bytes[3] == 0x04
    }

    init(_ bytes: UnsafeRawBufferPointer) throws(Malformed) {
        self.bytes = bytes
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
        var eocd = -1
        var at = bytes.count - 22
        let floor = max(0, bytes.count - 22 - 65_535)
        while at >= floor {
            if bytes[at] == 0x50, bytes[at + 1] == 0x4B, bytes[at + 2] == 0x05, bytes[at + 3] == 0x06 { eocd = at; break }
            at -= 1
        }
        guard eocd >= 0 else { throw Malformed(message: "no zip end-of-central-directory record (truncated zip?)") }
        let count = u16(eocd + 10)
        let directorySize = u32(eocd + 12)
        let directoryOffset = u32(eocd + 16)
        if directoryOffset == 0xFFFF_FFFF || count == 0xFFFF {
            // zip64: find the zip64 end record through its locator.
            let locator = eocd - 20
            guard locator >= 0, u32(locator) == 0x0706_4B50 else { throw Malformed(message: "zip64 archive without a locator") }
            let record = Int(truncatingIfNeeded: UInt64(u32(locator + 8)) | UInt64(u32(locator + 12)) << 32)
            guard record >= 0, record + 56 <= bytes.count, u32(record) == 0x0606_4B50 else {
                throw Malformed(message: "zip64 end record out of bounds")
            }
            let count64 = u32(record + 32)
            let offset64 = u32(record + 48)
            self.members = try Self.readDirectory(bytes, offset: offset64, count: count64, size: bytes.count - offset64)
            return
        }
        guard directoryOffset + directorySize <= bytes.count else { throw Malformed(message: "zip central directory out of bounds") }
        self.members = try Self.readDirectory(bytes, offset: directoryOffset, count: count, size: directorySize)
    }

    static func readDirectory(_ bytes: UnsafeRawBufferPointer, offset: Int, count: Int, size: Int) throws(Malformed) -> [Member] {
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        var members: [Member] = []
        var at = offset
        for _ in 0..<min(count, 1_000_000) {
            guard at + 46 <= bytes.count, u32(at) == 0x0201_4B50 else { throw Malformed(message: "bad zip central directory entry") }
            let nameLength = u16(at + 28)
            let extraLength = u16(at + 30)
            let commentLength = u16(at + 32)
            guard at + 46 + nameLength <= bytes.count else { throw Malformed(message: "zip entry name out of bounds") }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[at + 46..<at + 46 + nameLength]), as: UTF8.self)
            var compressed = u32(at + 20)
            var uncompressed = u32(at + 24)
            var local = u32(at + 42)
            // zip64 extra field (id 1) carries the real sizes and offset.
            var extra = at + 46 + nameLength
            let extraEnd = min(extra + extraLength, bytes.count)
            while extra + 4 <= extraEnd {
                let id = u16(extra)
                let length = u16(extra + 2)
                if id == 1 {
                    var field = extra + 4
                    func u64() -> Int {
                        defer { field += 8 }
                        guard field + 8 <= extraEnd else { return 0 }
                        return u32(field) | u32(field + 4) << 32
                    }
                    if uncompressed == 0xFFFF_FFFF { uncompressed = u64() }
                    if compressed == 0xFFFF_FFFF { compressed = u64() }
                    if local == 0xFFFF_FFFF { local = u64() }
                }
                extra += 4 + length
            }
            members.append(Member(name: name, method: UInt16(u16(at + 10)), compressedSize: compressed,
                                  uncompressedSize: uncompressed, localHeaderOffset: local, flags: UInt16(u16(at + 8))))
            at += 46 + nameLength + extraLength + commentLength
        }
        return members
    }

    /// The member's bytes, at most `limit` of them.
    func read(_ member: Member, limit: Int) throws(Malformed) -> [UInt8] {
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        let header = member.localHeaderOffset
        guard header >= 0, header + 30 <= bytes.count, u16(header) == 0x4B50, u16(header + 2) == 0x0403 else {
            throw Malformed(message: "\(member.name): bad local header")
        }
        guard member.flags & 1 == 0 else { throw Malformed(message: "\(member.name): encrypted member") }
        let start = header + 30 + u16(header + 26) + u16(header + 28)
        guard member.compressedSize >= 0, start + member.compressedSize <= bytes.count else {
            throw Malformed(message: "\(member.name): data out of bounds")
        }
        guard member.uncompressedSize <= limit else {
            throw Malformed(message: "\(member.name): \(member.uncompressedSize) bytes, over the \(limit) bytes scanned per member")
        }
        let data = UnsafeRawBufferPointer(rebasing: bytes[start..<start + member.compressedSize])
        switch member.method {
        case 0: return Array(data)
        case 8: return try Self.inflate(data, expected: member.uncompressedSize, limit: limit)
        default: throw Malformed(message: "\(member.name): compression method \(member.method) is not supported")
        }
    }

    static func inflate(_ data: UnsafeRawBufferPointer, expected: Int, limit: Int) throws(Malformed) -> [UInt8] {
        var stream = z_stream()
        guard czlib_inflate_init_raw(&stream) == Z_OK else { throw Malformed(message: "cannot start inflating") }
        defer { inflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: max(expected, 1))
        var produced = 0
        var status: Int32 = Z_OK
        stream.next_in = UnsafeMutablePointer(mutating: data.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(data.count)
        repeat {
            if produced == out.count {
                guard out.count < limit else { throw Malformed(message: "inflated data over \(limit) bytes") }
                out.append(contentsOf: [UInt8](repeating: 0, count: min(out.count, limit - out.count)))
            }
            status = out.withUnsafeMutableBytes { buffer -> Int32 in
                stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self) + produced
                stream.avail_out = UInt32(buffer.count - produced)
                let result = CZlib.inflate(&stream, Z_NO_FLUSH)
                produced = buffer.count - Int(stream.avail_out)
                return result
            }
        } while status == Z_OK
        guard status == Z_STREAM_END else { throw Malformed(message: "corrupt deflate data") }
        out.removeSubrange(produced...)
        return out
    }
}
