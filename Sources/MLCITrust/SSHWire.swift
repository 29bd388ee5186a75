import MLCISupport

/// Reads the SSH wire encoding (RFC 4251 §5): big-endian `uint32`, and `string` as a length
/// then the bytes. A value type over its own copy of the bytes.
struct SSHReader {
    let bytes: [UInt8]
    private(set) var offset = 0
    let what: String

    init(_ bytes: [UInt8], what: String) {
        self.bytes = bytes
        self.what = what
    }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func raw(_ count: Int) throws(InputError) -> [UInt8] {
        guard count >= 0, count <= bytes.count - offset else { throw InputError("\(what) is truncated") }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func u32() throws(InputError) -> UInt32 {
        let four = try raw(4)
        return four.reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func string() throws(InputError) -> [UInt8] { try raw(Int(try u32())) }

    mutating func text() throws(InputError) -> String { String(decoding: try string(), as: UTF8.self) }
}

/// Writes the SSH wire encoding.
enum SSHWire {
    static func u32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24 & 0xff), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    static func string(_ bytes: [UInt8]) -> [UInt8] { u32(UInt32(bytes.count)) + bytes }

    static func string(_ text: String) -> [UInt8] { string(Array(text.utf8)) }
}
