import CLibGit2

/// A git object id (SHA-1), stored inline without allocation.
///
/// A value type: `Sendable`, `Hashable`, safe to share across threads.
public struct ObjectID: Hashable, Sendable, CustomStringConvertible, Comparable {
    var raw: git_oid

    init(_ raw: git_oid) { self.raw = raw }

    init(_ pointer: UnsafePointer<git_oid>) { self.raw = pointer.pointee }

    /// Parses a full 40-character hex id; `nil` for anything else.
    public init?(hex: String) {
        guard hex.utf8.count == 40, hex.utf8.allSatisfy({ $0.isHexDigit }) else { return nil }
        var oid = git_oid()
        guard git_oid_fromstr(&oid, hex) == 0 else { return nil }
        self.raw = oid
    }

    /// The 40-character lowercase hex form.
    public var hex: String {
        withUnsafeBytes(of: raw.id) { bytes in
            let digits: [UInt8] = Array("0123456789abcdef".utf8)
            var out = [UInt8]()
            out.reserveCapacity(40)
            for byte in bytes {
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0f)])
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// The first `length` hex characters.
    public func short(_ length: Int = 7) -> String { String(hex.prefix(length)) }

    public var description: String { hex }

    public static func == (lhs: ObjectID, rhs: ObjectID) -> Bool {
        withUnsafeBytes(of: lhs.raw.id) { a in withUnsafeBytes(of: rhs.raw.id) { b in a.elementsEqual(b) } }
    }

    /// Object ids are uniformly distributed already: eight of their bytes hash as well as
    /// twenty, at a fraction of the cost in the dictionaries of a history walk.
    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes(of: raw.id) { hasher.combine($0.loadUnaligned(as: UInt64.self)) }
    }

    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool {
        withUnsafeBytes(of: lhs.raw.id) { a in
            withUnsafeBytes(of: rhs.raw.id) { b in a.lexicographicallyPrecedes(b) }
        }
    }
}

extension UInt8 {
    var isHexDigit: Bool {
        (48...57).contains(self) || (97...102).contains(self) || (65...70).contains(self)
    }
}
