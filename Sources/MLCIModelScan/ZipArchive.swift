/// A read-only view of a zip file's members (PyTorch `.pt`, numpy `.npz`, Keras `.keras`), read
/// as Python's `zipfile` reads it: the last end-of-central-directory record, the central
/// directory walked **by its size** (not the entry count), offsets shifted by any prepended
/// prefix, later duplicates winning by name. What `zipfile` tolerates but an attacker uses to
/// hide a member — a prefix, a count that disagrees with the directory, duplicate names, local
/// headers that disagree with the directory, overlapping data — is listed in `anomalies`.
///
/// Borrows the bytes it was made from; not `Sendable` beyond that buffer's lifetime.
struct ZipArchive {
    struct Member {
        let name: String
        let method: Int
        let compressedSize: Int
        let uncompressedSize: Int
        /// The local header's offset, with the prefix (`concat`) added as zipfile does.
        let localHeaderOffset: Int
        let flags: Int
        let crc: UInt32
    }

    struct Malformed: Error { let message: String }

    let bytes: UnsafeRawBufferPointer
    let members: [Member]
    var anomalies: [String] = []

    static func isZip(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 0x03 && bytes[3] == 0x04
    }

    /// Whether `zipfile.is_zipfile` would find an end record (a zip with a prefix, too).
    static func hasEndRecord(_ bytes: UnsafeRawBufferPointer) -> Bool { endRecord(bytes) != nil }

    static func u16(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
    static func u32(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> Int { u16(bytes, at) | u16(bytes, at + 2) << 16 }
    static func u64(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> UInt64 { UInt64(u32(bytes, at)) | UInt64(u32(bytes, at + 4)) << 32 }

    /// `_EndRecData`: the record at the very end (no comment), else the last signature in the
    /// final 64 KiB + 22 bytes whose record is complete.
    static func endRecord(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let n = bytes.count
        guard n >= 22 else { return nil }
        if u32(bytes, n - 22) == 0x0605_4B50, u16(bytes, n - 2) == 0 { return n - 22 }
        let floor = max(0, n - 22 - 65_535)
        var at = n - 4
        while at >= floor {
            if bytes[at] == 0x50, bytes[at + 1] == 0x4B, bytes[at + 2] == 0x05, bytes[at + 3] == 0x06 {
                return at + 22 <= n ? at : nil
            }
            at -= 1
        }
        return nil
    }

    init(_ bytes: UnsafeRawBufferPointer) throws(Malformed) {
        self.bytes = bytes
        guard let eocd = Self.endRecord(bytes) else { throw Malformed(message: "no zip end-of-central-directory record (a truncated zip?)") }
        var count = Self.u16(bytes, eocd + 10)
        var size = Self.u32(bytes, eocd + 12)
        var offset = Self.u32(bytes, eocd + 16)
        if Self.u16(bytes, eocd + 4) != 0 || Self.u16(bytes, eocd + 6) != 0 { anomalies.append("the end record names another disk") }
        if Self.u16(bytes, eocd + 8) != count { anomalies.append("the end record's entry counts disagree") }
        let commentLength = Self.u16(bytes, eocd + 20)
        if eocd + 22 + commentLength != bytes.count { anomalies.append("\(bytes.count - eocd - 22 - commentLength) bytes follow the end record and its comment") }
        var concat = eocd - size - offset
        // zip64: the locator just before the end record, the zip64 record just before that.
        let locator = eocd - 20
        if locator >= 0, Self.u32(bytes, locator) == 0x0706_4B50 {
            let record = locator - 56
            guard record >= 0, Self.u32(bytes, record) == 0x0606_4B50 else { throw Malformed(message: "zip64 end record missing") }
            guard Self.u32(bytes, locator + 4) == 0, Self.u32(bytes, locator + 16) <= 1 else {
                throw Malformed(message: "zipfiles that span multiple disks are not supported")
            }
            let count64 = Self.u64(bytes, record + 32)
            let size64 = Self.u64(bytes, record + 40)
            let offset64 = Self.u64(bytes, record + 48)
            guard count64 < 1 << 40, size64 < 1 << 48, offset64 < 1 << 48 else { throw Malformed(message: "zip64 sizes out of range") }
            count = Int(count64)
            size = Int(size64)
            offset = Int(offset64)
            concat = eocd - size - offset - 76
        }
        let startDirectory = offset + concat
        guard startDirectory >= 0 else { throw Malformed(message: "Bad offset for central directory") }
        if concat != 0 { anomalies.append("\(concat) bytes \(concat > 0 ? "precede" : "overlap") the archive (a prefix zipfile accepts)") }
        guard startDirectory + size <= bytes.count else { throw Malformed(message: "the central directory runs past the end of the file") }
        var members: [Member] = []
        var at = startDirectory
        let end = startDirectory + size
        while at < end {
            guard at + 46 <= end else { throw Malformed(message: "Truncated central directory") }
            guard Self.u32(bytes, at) == 0x0201_4B50 else { throw Malformed(message: "Bad magic number for central directory") }
            let nameLength = Self.u16(bytes, at + 28)
            let extraLength = Self.u16(bytes, at + 30)
            let commentLength = Self.u16(bytes, at + 32)
            guard at + 46 + nameLength + extraLength + commentLength <= end else { throw Malformed(message: "Truncated central directory") }
            let flags = Self.u16(bytes, at + 8)
            let nameBytes = UnsafeRawBufferPointer(rebasing: bytes[at + 46..<at + 46 + nameLength])
            let name = flags & 0x800 != 0 ? String(decoding: nameBytes, as: UTF8.self) : Self.cp437(nameBytes)
            var compressed = Self.u32(bytes, at + 20)
            var uncompressed = Self.u32(bytes, at + 24)
            var local = Self.u32(bytes, at + 42)
            // The zip64 extra field (id 1) carries the sizes and offset that are 0xFFFFFFFF.
            var extra = at + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = Self.u16(bytes, extra)
                let length = Self.u16(bytes, extra + 2)
                guard extra + 4 + length <= extraEnd else { throw Malformed(message: "\(name): corrupt extra field") }
                if id == 1 {
                    var field = extra + 4
                    func next() throws(Malformed) -> Int {
                        guard field + 8 <= extra + 4 + length else { throw Malformed(message: "\(name): corrupt zip64 extra field") }
                        defer { field += 8 }
                        let value = Self.u64(bytes, field)
                        guard value < 1 << 48 else { throw Malformed(message: "\(name): zip64 size out of range") }
                        return Int(value)
                    }
                    if uncompressed == 0xFFFF_FFFF { uncompressed = try next() }
                    if compressed == 0xFFFF_FFFF { compressed = try next() }
                    if local == 0xFFFF_FFFF { local = try next() }
                }
                extra += 4 + length
            }
            members.append(Member(name: name, method: Self.u16(bytes, at + 10), compressedSize: compressed,
                                  uncompressedSize: uncompressed, localHeaderOffset: local + concat, flags: flags,
                                  crc: UInt32(Self.u32(bytes, at + 16))))
            at += 46 + nameLength + extraLength + commentLength
        }
        self.members = members
        if members.count != count { anomalies.append("the end record counts \(count) entries but the central directory holds \(members.count)") }
        var seen: Set<String> = []
        for member in members where !seen.insert(member.name).inserted {
            anomalies.append("'\(member.name)' appears more than once (the loader reads the last)")
        }
        // Overlapping member data.
        let spans = members.map { ($0.localHeaderOffset, $0.localHeaderOffset + 30 + $0.compressedSize, $0.name) }.sorted { $0.0 < $1.0 }
        for k in spans.indices.dropFirst() where spans[k].0 < spans[k - 1].1 {
            anomalies.append("the data of '\(spans[k - 1].2)' and '\(spans[k].2)' overlap")
        }
        if let first = spans.first, first.0 > max(concat, 0) {
            anomalies.append("\(first.0 - max(concat, 0)) bytes before the first member are in no entry")
        }
    }

    /// cp437, the zip default: ASCII maps to itself; other bytes are shown as escapes.
    static func cp437(_ bytes: UnsafeRawBufferPointer) -> String {
        var out = ""
        for byte in bytes { out += byte < 0x80 ? String(UnicodeScalar(byte)) : "\\x\(String(byte, radix: 16))" }
        return out
    }

    /// The member's bytes (`ZipFile.open`): the local header must agree with the directory;
    /// stored and deflated members are read, the CRC checked; anything else is refused.
    func read(_ member: Member, limit: Int) throws(Malformed) -> [UInt8] {
        let header = member.localHeaderOffset
        guard header >= 0, header + 30 <= bytes.count, Self.u32(bytes, header) == 0x0403_4B50 else {
            throw Malformed(message: "\(member.name): Bad magic number for file header")
        }
        guard member.flags & 0x41 == 0 else { throw Malformed(message: "\(member.name): an encrypted member mlci cannot read") }
        guard member.flags & 0x20 == 0 else { throw Malformed(message: "\(member.name): compressed patched data is not supported") }
        let nameLength = Self.u16(bytes, header + 26)
        let start = header + 30 + nameLength + Self.u16(bytes, header + 28)
        guard header + 30 + nameLength <= bytes.count else { throw Malformed(message: "\(member.name): local header out of bounds") }
        let localName = UnsafeRawBufferPointer(rebasing: bytes[header + 30..<header + 30 + nameLength])
        let localText = member.flags & 0x800 != 0 ? String(decoding: localName, as: UTF8.self) : Self.cp437(localName)
        guard localText == member.name else {
            throw Malformed(message: "File name in directory '\(member.name)' and header '\(localText)' differ")
        }
        guard member.compressedSize >= 0, start <= bytes.count, member.compressedSize <= bytes.count - start else {
            throw Malformed(message: "\(member.name): data out of bounds")
        }
        guard member.uncompressedSize <= limit else {
            throw Malformed(message: "\(member.name): \(member.uncompressedSize) bytes, over the \(limit) bytes scanned per member")
        }
        let data = UnsafeRawBufferPointer(rebasing: bytes[start..<start + member.compressedSize])
        let out: [UInt8]
        switch member.method {
        case 0: out = Array(data)
        case 8:
            do {
                out = try Decompress.decompress(data, codec: .deflate, limit: limit, expected: member.uncompressedSize)
            } catch {
                throw Malformed(message: "\(member.name): \(error.message)")
            }
        default: throw Malformed(message: "\(member.name): compression method \(member.method) is not one mlci reads")
        }
        guard out.count == member.uncompressedSize else {
            throw Malformed(message: "\(member.name): \(out.count) bytes, but the directory says \(member.uncompressedSize)")
        }
        guard Decompress.crc32(out) == member.crc else { throw Malformed(message: "\(member.name): Bad CRC-32") }
        return out
    }
}
