/// Why an HDF5 file cannot be read completely: what, and the absolute byte offset where.
struct HDF5Error: Error, Sendable {
    let message: String
    let offset: Int
}

/// One attribute of the root group: its name and, for a string (fixed-length, or variable-length
/// with its bytes in the global heap) in a scalar or one-element dataspace, its bytes.
struct HDF5Attribute: Sendable {
    enum Value: Sendable, Equatable {
        case string([UInt8])
        /// Any other type or shape, described (its bytes are bounds-checked but not decoded).
        case other(String)
    }

    var name: String
    var value: Value
    /// Where its attribute message (or dense-storage heap object) starts.
    var offset: Int
}

/// A minimal, read-only, bounds-checked HDF5 reader: just enough to list the attributes of the
/// root group the way Keras's legacy `.h5` format stores `model_config` and `training_config`.
///
/// Reads superblocks 0–3 (with a user block: the superblock at 512, 1024, … and addresses
/// relative to it, as libhdf5 adjusts them), object headers v1 and v2 with their continuation
/// chunks, attribute messages v1–v3 in compact storage and dense attribute storage (the attribute
/// info message → fractal heap, managed/huge/tiny objects, found through the v2 B-tree name
/// index), fixed-length strings and variable-length strings (global heap collections), scalar
/// and simple dataspaces. Checksums are verified wherever the format has them (superblock v2+,
/// v2 object headers and continuation chunks, fractal heap and v2 B-tree blocks). Everything
/// else — shared messages, filtered heaps, multi-file drivers, unknown versions — is an
/// `HDF5Error`: the caller fails closed.
///
/// Why hand-written and not libhdf5: no Swift HDF5 package exists, and Debian's libhdf5 is a
/// large C library (hundreds of thousands of lines, a long CVE history of overflows on crafted
/// files) — linking it into a scanner whose whole job is to open hostile files would make the
/// scanner the attack surface. This reader only ever reads inside the mapped buffer (every
/// access goes through `Cursor`, which checks bounds), never follows an address outside the
/// superblock's end-of-file, and spends at most `steps` units of work (messages, B-tree nodes,
/// heap objects, chunks) so that a crafted file cannot make it loop.
///
/// One instance per scan, used from one thread; it borrows `bytes`, which must outlive it.
final class HDF5File {
    let bytes: UnsafeRawBufferPointer
    /// Where the superblock is (0, or 512, 1024, … after a user block).
    private(set) var superblockOffset = 0
    private(set) var superblockVersion = 0
    /// Size in bytes of file addresses and of lengths (2, 4 or 8).
    private(set) var offsetSize = 8
    private(set) var lengthSize = 8
    /// The end of the file the superblock declares (absolute), within `bytes`.
    private(set) var limit = 0
    /// The root group's object header (absolute).
    private(set) var rootHeader = 0
    /// Fractal heap direct blocks whose checksum was verified (each is verified once).
    var verifiedBlocks: Set<Int> = []
    /// Global heap collections decoded so far: object index → its data.
    var collections: [Int: [Int: Range<Int>]] = [:]
    /// Work left: each message, chunk, B-tree node and heap object costs one.
    private var steps: Int

    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Where libhdf5 finds the superblock: at 0, 512, 1024, 2048, … — or nil.
    static func superblockOffset(in bytes: UnsafeRawBufferPointer) -> Int? {
        var at = 0
        while at <= bytes.count - signature.count {
            if (0..<signature.count).allSatisfy({ bytes[at + $0] == signature[$0] }) { return at }
            at = at == 0 ? 512 : at * 2
        }
        return nil
    }

    init(_ bytes: UnsafeRawBufferPointer, steps: Int = 1_000_000) throws(HDF5Error) {
        self.bytes = bytes
        self.steps = steps
        guard let at = Self.superblockOffset(in: bytes) else { throw HDF5Error(message: "no HDF5 superblock signature", offset: 0) }
        superblockOffset = at
        limit = bytes.count
        try readSuperblock()
    }

    // MARK: - Superblock

    private func readSuperblock() throws(HDF5Error) {
        var c = Cursor(self, at: superblockOffset + 8)
        superblockVersion = try c.u8()
        // Addresses are relative to the base address, which libhdf5 replaces by where it found
        // the superblock; the end-of-file address is absolute, shifted by the same amount.
        var storedBase: UInt64 = 0
        var storedEOF: UInt64 = 0
        switch superblockVersion {
        case 0, 1:
            // The versions libhdf5 hard-wires: free space, root symbol table entry, (reserved),
            // shared header messages.
            for what in ["free-space", "object directory", nil, "shared-header"] {
                let version = try c.u8()
                if let what, version != 0 {
                    throw HDF5Error(message: "bad \(what) version number in the superblock", offset: c.position - 1)
                }
            }
            offsetSize = try c.u8()
            lengthSize = try c.u8()
            try checkSizes(at: c.position - 2)
            try c.skip(1)  // reserved
            for what in ["symbol table leaf node", "B-tree internal node"] where try c.uint(2) == 0 {
                throw HDF5Error(message: "bad \(what) 1/2 rank (0) in the superblock", offset: c.position - 2)
            }
            try checkStatusFlags(try c.uint(4), at: c.position - 4)
            if superblockVersion == 1 { try c.skip(4) }  // indexed storage K, reserved
            storedBase = try c.uint(offsetSize)
            _ = try c.address()  // free-space info
            storedEOF = try c.uint(offsetSize)
            let driverAt = c.position
            if try c.address() != nil {
                throw HDF5Error(message: "the file uses a driver information block (a family or multi-file driver): its data lives in other files", offset: driverAt)
            }
            _ = try c.address()  // root symbol table entry: link name offset
            guard let root = try c.address() else { throw HDF5Error(message: "the root group has no object header", offset: c.position - offsetSize) }
            rootHeader = root
            try c.skip(4 + 4 + 16)  // cache type, reserved, scratch pad
        case 2, 3:
            offsetSize = try c.u8()
            lengthSize = try c.u8()
            try checkSizes(at: c.position - 2)
            try checkStatusFlags(UInt64(try c.u8()), at: c.position - 1)
            storedBase = try c.uint(offsetSize)
            _ = try c.address()  // superblock extension
            storedEOF = try c.uint(offsetSize)
            guard let root = try c.address() else { throw HDF5Error(message: "the root group has no object header", offset: c.position - offsetSize) }
            rootHeader = root
            try verifyChecksum(from: superblockOffset, to: c.position, what: "superblock")
        default:
            throw HDF5Error(message: "superblock version \(superblockVersion) is not one mlci reads (0-3)", offset: superblockOffset + 8)
        }
        let (shifted, overflow) = storedEOF.addingReportingOverflow(UInt64(superblockOffset))
        guard !overflow, shifted >= storedBase, shifted - storedBase <= UInt64(bytes.count) else {
            throw HDF5Error(message: "the file is truncated: its superblock says it ends at byte \(shifted &- storedBase), it has \(bytes.count) bytes", offset: superblockOffset)
        }
        limit = Int(shifted - storedBase)
        guard rootHeader < limit else { throw HDF5Error(message: "the root group's object header address is beyond the end of the file", offset: superblockOffset) }
    }

    private func checkSizes(at offset: Int) throws(HDF5Error) {
        guard [2, 4, 8].contains(offsetSize), [2, 4, 8].contains(lengthSize) else {
            throw HDF5Error(message: "unsupported address/length sizes \(offsetSize)/\(lengthSize)", offset: offset)
        }
    }

    // MARK: - Shared helpers

    /// Spends one unit of work; throws when the budget is gone.
    func step(at offset: Int) throws(HDF5Error) {
        steps -= 1
        if steps < 0 { throw HDF5Error(message: "the file's metadata structures exceed mlci's work budget (a loop or a crafted structure)", offset: offset) }
    }

    /// The superblock's status flags, as libhdf5 checks them: only write access (1), file OK (2)
    /// and SWMR write access (4) exist; a version 3 superblock still marked open for writing is
    /// refused (h5clear clears it).
    private func checkStatusFlags(_ flags: UInt64, at offset: Int) throws(HDF5Error) {
        guard flags <= 255, flags & ~0x07 == 0 else {
            throw HDF5Error(message: "bad superblock status flags (\(flags))", offset: offset)
        }
        if superblockVersion >= 3 && flags & 0x05 != 0 {
            throw HDF5Error(message: "the superblock marks the file as open for writing (h5clear -s clears it)", offset: offset)
        }
    }

    /// `address` (relative to the superblock) as an absolute offset inside the declared file.
    func absolute(_ address: UInt64, at offset: Int) throws(HDF5Error) -> Int {
        guard address <= UInt64(Int.max - superblockOffset), superblockOffset + Int(address) < limit else {
            throw HDF5Error(message: "address \(address) points beyond the end of the file (\(limit - superblockOffset) bytes)", offset: offset)
        }
        return superblockOffset + Int(address)
    }

    func verifyChecksum(from start: Int, to end: Int, what: String) throws(HDF5Error) {
        guard start <= end, end + 4 <= limit else { throw HDF5Error(message: "the \(what) is truncated", offset: start) }
        var c = Cursor(self, at: end)
        let stored = UInt32(try c.uint(4))
        let computed = HDF5Checksum.lookup3(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
        guard stored == computed else {
            throw HDF5Error(message: "the \(what) checksum does not match (stored \(hex(stored)), computed \(hex(computed)))", offset: end)
        }
    }

    func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }

    func expectSignature(_ text: String, at offset: Int, what: String) throws(HDF5Error) {
        let expected = Array(text.utf8)
        guard offset >= 0, offset + 4 <= limit, (0..<4).allSatisfy({ bytes[offset + $0] == expected[$0] }) else {
            throw HDF5Error(message: "no \(what) signature '\(text)' where the file points", offset: offset)
        }
    }

    /// A bounds-checked little-endian reader over `file.bytes[..<file.limit]`.
    struct Cursor {
        let file: HDF5File
        var position: Int
        var end: Int

        init(_ file: HDF5File, at position: Int, end: Int? = nil) {
            self.file = file
            self.position = position
            self.end = min(end ?? file.limit, file.limit)
        }

        var remaining: Int { end - position }

        mutating func need(_ count: Int) throws(HDF5Error) {
            guard count >= 0, position >= 0, count <= end - position else {
                throw HDF5Error(message: "a structure runs past the end of its block or of the file", offset: max(0, position))
            }
        }

        mutating func skip(_ count: Int) throws(HDF5Error) {
            try need(count)
            position += count
        }

        mutating func u8() throws(HDF5Error) -> Int {
            try need(1)
            defer { position += 1 }
            return Int(file.bytes[position])
        }

        mutating func uint(_ size: Int) throws(HDF5Error) -> UInt64 {
            try need(size)
            var value: UInt64 = 0
            for i in 0..<size where i < 8 { value |= UInt64(file.bytes[position + i]) << UInt64(8 * i) }
            for i in 8..<max(8, size) where file.bytes[position + i] != 0 {
                throw HDF5Error(message: "a number wider than 64 bits", offset: position)
            }
            position += size
            return value
        }

        mutating func int(_ size: Int) throws(HDF5Error) -> Int {
            let at = position
            let value = try uint(size)
            guard value <= UInt64(Int.max) else { throw HDF5Error(message: "a size or count too large (\(value))", offset: at) }
            return Int(value)
        }

        /// A file address (relative), or nil for the undefined address (all bits set).
        mutating func address() throws(HDF5Error) -> Int? {
            let at = position
            let size = file.offsetSize
            let value = try uint(size)
            if size == 8 ? value == UInt64.max : value == (UInt64(1) << UInt64(8 * size)) - 1 { return nil }
            return try file.absolute(value, at: at)
        }

        mutating func length() throws(HDF5Error) -> Int { try int(file.lengthSize) }

        mutating func signature(_ text: String, what: String) throws(HDF5Error) {
            try file.expectSignature(text, at: position, what: what)
            position += 4
        }
    }
}
