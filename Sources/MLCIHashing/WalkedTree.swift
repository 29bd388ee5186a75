/// The regular files below a directory, sorted by path bytes, in flat storage: every relative
/// path back to back in one byte buffer, and one ``FileStat`` per file.
///
/// A value type; immutable once built, so safe to share between threads.
public struct WalkedTree: Sendable {
    /// The relative paths (`/`-separated UTF-8), back to back.
    public private(set) var pathBytes: [UInt8] = []
    /// Where each file's path ends in ``pathBytes``; it starts where the one before ends.
    public private(set) var pathEnds: [Int] = []
    public private(set) var stats: [FileStat] = []

    public var count: Int { stats.count }

    /// File `index`'s relative path.
    public func path(at index: Int) -> ArraySlice<UInt8> {
        pathBytes[(index == 0 ? 0 : pathEnds[index - 1])..<pathEnds[index]]
    }

    /// File `index`'s relative path as a `String`.
    public func pathString(at index: Int) -> String { String(decoding: path(at: index), as: UTF8.self) }

    /// Appends files in order (the walk appends them sorted).
    struct Builder {
        var tree = WalkedTree()

        mutating func reserve(files: Int, pathBytes: Int) {
            tree.pathBytes.reserveCapacity(pathBytes)
            tree.pathEnds.reserveCapacity(files)
            tree.stats.reserveCapacity(files)
        }

        mutating func append(prefix: [UInt8], name: UnsafeBufferPointer<UInt8>, stat: FileStat) {
            if !prefix.isEmpty {
                tree.pathBytes.append(contentsOf: prefix)
                tree.pathBytes.append(0x2F)
            }
            tree.pathBytes.append(contentsOf: name)
            tree.pathEnds.append(tree.pathBytes.count)
            tree.stats.append(stat)
        }
    }
}
