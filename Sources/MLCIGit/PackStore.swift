import CLibGit2
import MLCICompression
import MLCISupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads objects straight from a repository's pack files (`objects/pack/*.idx` version 2 and
/// their `.pack`), resolving delta chains, for history walks that read tens of thousands of
/// small commits and trees: without libgit2's per-object locks, caches and zlib set-up.
///
/// It only ever speeds reading up. An object it does not find (a loose object, one in an
/// alternate object store) or a pack it cannot make sense of returns `nil`, and the caller
/// reads through libgit2, which decides. Every offset and length is bounds-checked; a zlib
/// stream must end exactly at the size the pack declares (zlib checks its Adler-32).
///
/// Owned by one thread at a time: not `Sendable`.
final class PackStore {
    /// The kind of a git object, as the pack numbers it.
    enum Kind: UInt8 { case commit = 1, tree = 2, blob = 3, tag = 4 }

    private struct Pack {
        let index: MappedFile
        let data: MappedFile
        let count: Int
    }

    private let packs: [Pack]
    private var lastPack = 0
    private let inflater = ZlibInflater()
    /// Recently resolved delta bases by (pack, offset), bounded by `cacheLimit` bytes.
    private var bases: [Int: (kind: Kind, bytes: [UInt8])] = [:]
    private var cachedBytes = 0
    private let cacheLimit = 32 << 20
    /// The largest object read here (commits and trees are far smaller); larger ones are left
    /// to libgit2.
    static let objectLimit = 256 << 20
    /// git's own limit on a delta chain's depth is far below this; deeper is refused as corrupt.
    private let maxChain = 10_000

    /// The packs under `objectsDirectory/pack`; `nil` when there are none it can read.
    init?(objectsDirectory: String) {
        let directory = objectsDirectory + "/pack"
        guard let listing = FileSystem.entries(of: directory) else { return nil }
        var packs: [Pack] = []
        for name in listing where name.hasSuffix(".idx") {
            let stem = String(name.dropLast(4))
            guard let index = try? MappedFile(path: "\(directory)/\(name)", display: name, access: .random),
                  let data = try? MappedFile(path: "\(directory)/\(stem).pack", display: stem + ".pack", access: .random),
                  let count = Self.validate(index: index.bytes, data: data.bytes) else { continue }
            packs.append(Pack(index: index, data: data, count: count))
        }
        guard !packs.isEmpty else { return nil }
        self.packs = packs
    }

    /// An index of version 2 whose object count, table sizes and fan-out agree with a pack
    /// of version 2 or 3 holding that many objects: the count, or `nil`.
    private static func validate(index: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer) -> Int? {
        guard index.count >= 8 + 1024 + 40, index.starts(with: [0xFF, 0x74, 0x4F, 0x63, 0, 0, 0, 2]) else { return nil }
        var previous: UInt32 = 0
        for slot in 0..<256 {
            let value = bigEndian32(index, 8 + 4 * slot)
            guard value >= previous else { return nil }
            previous = value
        }
        let count = Int(previous)
        let minimum = 8 + 1024 + 28 * count + 40
        guard index.count >= minimum, index.count <= minimum + 8 * count else { return nil }
        guard data.count >= 12 + 20, data.starts(with: Array("PACK".utf8)),
              [2, 3].contains(bigEndian32(data, 4)), Int(bigEndian32(data, 8)) == count else { return nil }
        return count
    }

    /// The object `id`: its kind and bytes, or `nil` when no pack holds it or the pack is
    /// not what it claims (the caller then reads it through libgit2).
    func read(_ id: ObjectID) -> (kind: Kind, bytes: [UInt8])? {
        // The pack that held the last object first: a walk's objects mostly share one.
        if let offset = find(id, in: packs[lastPack]) { return object(at: offset, pack: lastPack) }
        for (number, pack) in packs.enumerated() where number != lastPack {
            guard let offset = find(id, in: pack) else { continue }
            lastPack = number
            return object(at: offset, pack: number)
        }
        return nil
    }

    /// Binary search of the index's sorted names within the id's fan-out range.
    private func find(_ id: ObjectID, in pack: Pack) -> Int? {
        let index = pack.index.bytes
        return withUnsafeBytes(of: id.raw.id) { key -> Int? in
            let first = Int(key[0])
            var low = first == 0 ? 0 : Int(Self.bigEndian32(index, 8 + 4 * (first - 1)))
            var high = Int(Self.bigEndian32(index, 8 + 4 * first))
            let names = index.baseAddress! + 8 + 1024
            // Names compare as their first eight bytes, big-endian, and only on a tie in full.
            let prefix = UInt64(bigEndian: key.loadUnaligned(as: UInt64.self))
            while low < high {
                let middle = (low + high) / 2
                let name = names + 20 * middle
                let namePrefix = UInt64(bigEndian: name.loadUnaligned(as: UInt64.self))
                let order = namePrefix != prefix ? (namePrefix < prefix ? -1 : 1) : memcmp(name, key.baseAddress!, 20)
                if order == 0 { return offset(of: middle, in: pack) }
                if order < 0 { low = middle + 1 } else { high = middle }
            }
            return nil
        }
    }

    private func offset(of position: Int, in pack: Pack) -> Int? {
        let index = pack.index.bytes
        let small = Self.bigEndian32(index, 8 + 1024 + 24 * pack.count + 4 * position)
        if small & 0x8000_0000 == 0 { return Int(small) }
        let large = 8 + 1024 + 28 * pack.count + 8 * Int(small & 0x7FFF_FFFF)
        guard large + 8 <= pack.index.bytes.count - 40 else { return nil }
        let value = UInt64(Self.bigEndian32(index, large)) << 32 | UInt64(Self.bigEndian32(index, large + 4))
        return value < UInt64(Int.max) ? Int(value) : nil
    }

    /// The object whose entry starts at `offset`: its deltas applied from the nearest cached
    /// or whole base up, the base and each result on the way kept for the next read (git's
    /// packs chain the versions of a tree, which a walk reads one after the other).
    private func object(at offset: Int, pack number: Int) -> (kind: Kind, bytes: [UInt8])? {
        var deltas: [(offset: Int, dataStart: Int, size: Int)] = []
        var current = offset
        var object: (kind: Kind, bytes: [UInt8])
        while true {
            if let cached = bases[cacheKey(number, current)] {
                object = cached
                break
            }
            guard deltas.count < maxChain, let entry = header(at: current, pack: number) else { return nil }
            if let kind = Kind(rawValue: entry.type) {
                guard let bytes = inflate(pack: number, at: entry.dataStart, size: entry.size) else { return nil }
                object = (kind, bytes)
                // Kept only as a base: a whole object read for itself is seldom read again.
                if !deltas.isEmpty { remember(object, key: cacheKey(number, current)) }
                break
            }
            let next: Int?
            switch entry.type {
            case 6: next = entry.baseOffset
            case 7: next = entry.baseID.flatMap { find($0, in: packs[number]) }
            default: next = nil
            }
            guard let next else { return nil }
            deltas.append((current, entry.dataStart, entry.size))
            current = next
        }
        for delta in deltas.reversed() {
            guard let instructions = inflate(pack: number, at: delta.dataStart, size: delta.size),
                  let result = Self.apply(instructions, to: object.bytes) else { return nil }
            object = (object.kind, result)
            remember(object, key: cacheKey(number, delta.offset))
        }
        return object
    }

    /// One key per (pack, offset): offsets times the number of packs, plus the pack.
    private func cacheKey(_ pack: Int, _ offset: Int) -> Int { offset &* packs.count &+ pack }

    private func remember(_ object: (kind: Kind, bytes: [UInt8]), key: Int) {
        guard object.bytes.count <= cacheLimit / 4, bases[key] == nil else { return }
        if cachedBytes + object.bytes.count > cacheLimit {
            bases.removeAll(keepingCapacity: true)
            cachedBytes = 0
        }
        bases[key] = object
        cachedBytes += object.bytes.count
    }

    /// An entry's type, inflated size and where its zlib data starts, with the base of a delta.
    private func header(at offset: Int, pack number: Int) -> (type: UInt8, size: Int, dataStart: Int, baseOffset: Int?, baseID: ObjectID?)? {
        let data = packs[number].data.bytes
        let end = data.count - 20  // the trailing checksum
        guard offset >= 12, offset < end else { return nil }
        var at = offset
        var byte = data[at]; at += 1
        let type = (byte >> 4) & 7
        var size = Int(byte & 0x0F)
        var shift = 4
        while byte & 0x80 != 0 {
            guard at < end, shift <= 56 else { return nil }
            byte = data[at]; at += 1
            size |= Int(byte & 0x7F) << shift
            shift += 7
        }
        switch type {
        case 6:
            guard at < end else { return nil }
            byte = data[at]; at += 1
            var distance = Int(byte & 0x7F)
            while byte & 0x80 != 0 {
                guard at < end, distance < (Int.max >> 8) else { return nil }
                byte = data[at]; at += 1
                distance = ((distance + 1) << 7) | Int(byte & 0x7F)
            }
            guard distance > 0, distance <= offset - 12 else { return nil }
            return (type, size, at, offset - distance, nil)
        case 7:
            guard at + 20 <= end else { return nil }
            var oid = git_oid()
            withUnsafeMutableBytes(of: &oid.id) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: data[at..<at + 20])) }
            return (type, size, at + 20, nil, ObjectID(oid))
        default:
            return (type, size, at, nil, nil)
        }
    }

    private func inflate(pack number: Int, at start: Int, size: Int) -> [UInt8]? {
        let data = packs[number].data.bytes
        let end = data.count - 20
        // No allocation beyond what the stream can hold (deflate expands at most 1,032:1) or
        // `objectLimit`: a crafted size makes libgit2 decide, not an out-of-memory crash here.
        guard start < end, size <= Self.objectLimit, size <= (end - start) * 1032 + 64 else { return nil }
        let input = UnsafeRawBufferPointer(rebasing: data[start..<end])
        var ok = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            ok = inflater.inflate(input, into: UnsafeMutableRawBufferPointer(buffer)) != nil
            initialized = ok ? size : 0
        }
        return ok ? bytes : nil
    }

    /// git's delta format: the base's and the result's sizes, then copy and insert
    /// instructions. `nil` when an instruction reaches outside either buffer or the sizes do
    /// not match.
    static func apply(_ delta: [UInt8], to base: [UInt8]) -> [UInt8]? {
        var at = 0
        func varint() -> Int? {
            var value = 0
            var shift = 0
            while at < delta.count, shift <= 56 {
                let byte = delta[at]; at += 1
                value |= Int(byte & 0x7F) << shift
                shift += 7
                if byte & 0x80 == 0 { return value }
            }
            return nil
        }
        guard let baseSize = varint(), baseSize == base.count, let resultSize = varint(), resultSize <= objectLimit else { return nil }
        var ok = true
        let result = [UInt8](unsafeUninitializedCapacity: resultSize) { out, initialized in
            var written = 0
            base.withUnsafeBufferPointer { source in
                while at < delta.count {
                    let op = delta[at]; at += 1
                    if op & 0x80 != 0 {
                        var copyOffset = 0
                        var copySize = 0
                        for bit in 0..<4 where op & (1 << bit) != 0 {
                            guard at < delta.count else { ok = false; return }
                            copyOffset |= Int(delta[at]) << (8 * bit); at += 1
                        }
                        for bit in 0..<3 where op & (0x10 << bit) != 0 {
                            guard at < delta.count else { ok = false; return }
                            copySize |= Int(delta[at]) << (8 * bit); at += 1
                        }
                        if copySize == 0 { copySize = 0x10000 }
                        guard copyOffset + copySize <= source.count, written + copySize <= resultSize else { ok = false; return }
                        UnsafeMutableRawPointer(out.baseAddress! + written)
                            .copyMemory(from: source.baseAddress! + copyOffset, byteCount: copySize)
                        written += copySize
                    } else if op != 0 {
                        let length = Int(op)
                        guard at + length <= delta.count, written + length <= resultSize else { ok = false; return }
                        delta.withUnsafeBufferPointer { instructions in
                            UnsafeMutableRawPointer(out.baseAddress! + written)
                                .copyMemory(from: instructions.baseAddress! + at, byteCount: length)
                        }
                        at += length
                        written += length
                    } else {
                        ok = false  // opcode 0 is reserved
                        return
                    }
                }
            }
            ok = ok && written == resultSize
            initialized = ok ? resultSize : 0
        }
        return ok ? result : nil
    }

    private static func bigEndian32(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }
}
