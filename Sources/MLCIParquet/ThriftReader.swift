/// A reader of Thrift's compact protocol over bytes it borrows (Parquet's footer and page
/// headers): structs as (field id, type) pairs, varints, zigzag, lists, skipping of unknown
/// fields. Every overrun or malformed header is a ``ThriftError``.
///
/// A value type over an unsafe buffer the caller keeps alive; not for sharing across threads.
struct ThriftReader {
    struct ThriftError: Error { let message: String }

    let bytes: UnsafeRawBufferPointer
    var position: Int

    init(_ bytes: UnsafeRawBufferPointer, at position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    enum FieldType: UInt8 {
        case boolTrue = 1, boolFalse = 2, i8 = 3, i16 = 4, i32 = 5, i64 = 6, double = 7, binary = 8, list = 9, set = 10, map = 11, structure = 12, uuid = 13
    }

    mutating func byte() throws(ThriftError) -> UInt8 {
        guard position < bytes.count else { throw ThriftError(message: "metadata ends early") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func varint() throws(ThriftError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw ThriftError(message: "a varint is too long") }
        }
    }

    mutating func zigzag() throws(ThriftError) -> Int64 {
        let u = try varint()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    mutating func i32() throws(ThriftError) -> Int32 {
        let v = try zigzag()
        guard let narrow = Int32(exactly: v) else { throw ThriftError(message: "an i32 is out of range") }
        return narrow
    }

    mutating func binary() throws(ThriftError) -> UnsafeRawBufferPointer {
        let length = try varint()
        guard length <= UInt64(bytes.count - position) else { throw ThriftError(message: "a string runs past the end of the metadata") }
        defer { position += Int(length) }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<position + Int(length)])
    }

    mutating func string() throws(ThriftError) -> String {
        let raw = try binary()
        guard let text = String(validating: raw, as: UTF8.self) else { throw ThriftError(message: "a name is not valid UTF-8") }
        return text
    }

    /// The next field of the current struct: (id, type), or nil at the stop byte. `last` is the
    /// previous field's id in this struct (0 at the start).
    mutating func field(after last: inout Int16) throws(ThriftError) -> (id: Int16, type: FieldType)? {
        let header = try byte()
        if header == 0 { return nil }
        guard let type = FieldType(rawValue: header & 0x0F) else { throw ThriftError(message: "unknown field type \(header & 0x0F)") }
        let delta = Int16(header >> 4)
        let id: Int16
        if delta == 0 {
            guard let wide = Int16(exactly: try zigzag()) else { throw ThriftError(message: "a field id is out of range") }
            id = wide
        } else {
            id = last &+ delta
        }
        last = id
        return (id, type)
    }

    /// A list header: (size, element type).
    mutating func listHeader() throws(ThriftError) -> (count: Int, type: UInt8) {
        let header = try byte()
        var count = Int(header >> 4)
        if count == 15 {
            let wide = try varint()
            guard wide <= UInt64(bytes.count - position) else { throw ThriftError(message: "a list is longer than the metadata") }
            count = Int(wide)
        }
        return (count, header & 0x0F)
    }

    mutating func bool(_ type: FieldType) -> Bool { type == .boolTrue }

    /// Skips a value of `type` (nested structs and containers included).
    mutating func skip(_ type: FieldType, depth: Int = 0) throws(ThriftError) {
        guard depth < 64 else { throw ThriftError(message: "structs nest too deep") }
        switch type {
        case .boolTrue, .boolFalse: return
        case .i8: position += 1
        case .i16, .i32, .i64: _ = try varint()
        case .double: position += 8
        case .uuid: position += 16
        case .binary: _ = try binary()
        case .list, .set:
            let (count, element) = try listHeader()
            for _ in 0..<count {
                if element == 1 || element == 2 { position += 1; continue }  // bools in a list take a byte
                guard let elementType = FieldType(rawValue: element) else { throw ThriftError(message: "unknown list element type \(element)") }
                try skip(elementType, depth: depth + 1)
            }
        case .map:
            let count = try varint()
            guard count <= UInt64(bytes.count) else { throw ThriftError(message: "a map is longer than the metadata") }
            if count == 0 { return }
            let kinds = try byte()
            guard let key = FieldType(rawValue: kinds >> 4), let value = FieldType(rawValue: kinds & 0x0F) else { throw ThriftError(message: "unknown map types") }
            for _ in 0..<count {
                try skip(key, depth: depth + 1)
                try skip(value, depth: depth + 1)
            }
        case .structure:
            var last: Int16 = 0
            while let (_, fieldType) = try field(after: &last) { try skip(fieldType, depth: depth + 1) }
        }
        guard position <= bytes.count else { throw ThriftError(message: "metadata ends early") }
    }

    /// Reads a struct, handing each field to `body`, which must consume it (or call `skip`).
    mutating func structure(_ body: (inout ThriftReader, Int16, FieldType) throws(ThriftError) -> Void) throws(ThriftError) {
        var last: Int16 = 0
        while let (id, type) = try field(after: &last) {
            try body(&self, id, type)
        }
    }

    /// A list of structs.
    mutating func structList(_ body: (inout ThriftReader) throws(ThriftError) -> Void) throws(ThriftError) {
        let (count, element) = try listHeader()
        guard element == FieldType.structure.rawValue else { throw ThriftError(message: "expected a list of structs") }
        for _ in 0..<count { try body(&self) }
    }
}

