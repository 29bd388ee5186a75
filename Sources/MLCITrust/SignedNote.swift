import MLCISupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The canonical bytes of a ledger record and its signature: what a verdict note or one
/// promotion entry says, bound to the commit it is attached to. Stateless.
///
/// Canonical form: the record without `signature` (and, for a verdict, without its
/// `promotions`, each signed on its own), with `commit` set to the annotated commit, keys
/// sorted by UTF-8 bytes, integral numbers without a fraction, written as compact JSON. So
/// any edited field, or the note copied to another commit, changes the bytes. `mlci lineage
/// REV --payload` prints them, for `ssh-keygen -Y verify`.
public enum SignedNote {
    /// The SSHSIG namespace of verdict notes.
    public static let verdictNamespace = "mlci-verdict@v1"
    /// The SSHSIG namespace of promotion and rollback records.
    public static let promotionNamespace = "mlci-promotion@v1"

    /// The bytes a signature over `record` (attached to `commit`) covers.
    public static func payload(_ record: JSONValue, commit: String) -> [UInt8] {
        var members = record.objectValue ?? []
        members.removeAll { ["signature", "promotions", "commit"].contains($0.0) }
        members.append(("commit", .string(commit)))
        return JSONWriter(style: .compact, asciiOnly: true).bytes(normalized(.object(members)).sortedKeys())
    }

    /// `record` with `signature` set to an SSHSIG over its payload.
    public static func sign(_ record: JSONValue, commit: String, namespace: String, key: SSHSigningKey) throws -> JSONValue {
        let armored = try SSHSignature.sign(payload(record, commit: commit), namespace: namespace, key: key)
        var members = record.objectValue ?? []
        members.removeAll { $0.0 == "signature" }
        members.append(("signature", .string(armored)))
        return .object(members)
    }

    static func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case .double(let d) where d == d.rounded() && abs(d) < 9e15: .int(Int64(d))
        case .array(let items): .array(items.map(normalized))
        case .object(let members): .object(members.map { ($0.0, normalized($0.1)) })
        default: value
        }
    }

    /// Seconds since the epoch of an RFC 3339 UTC time (`2026-11-30T01:02:03Z`, optional
    /// fraction); `nil` otherwise.
    public static func epochSeconds(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A, bytes[16] == 0x3A,
              bytes.last == 0x5A else { return nil }
        func n(_ at: Int, _ len: Int) -> Int32? {
            var v: Int32 = 0
            for i in at..<at + len { guard (0x30...0x39).contains(bytes[i]) else { return nil }; v = v * 10 + Int32(bytes[i] - 0x30) }
            return v
        }
        guard let y = n(0, 4), let mo = n(5, 2), let d = n(8, 2), let h = n(11, 2), let mi = n(14, 2), let s = n(17, 2) else { return nil }
        var parts = tm()
        parts.tm_year = y - 1900
        parts.tm_mon = mo - 1
        parts.tm_mday = d
        parts.tm_hour = h
        parts.tm_min = mi
        parts.tm_sec = s
        return Int64(timegm(&parts))
    }
}
