import Crypto
import MLCISupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams files through SHA-256 and MD5 with one reused 1 MiB buffer.
///
/// Owns its buffer: not `Sendable`. Use one per thread (each parallel worker makes its own).
public final class FileHasher {
    /// DVC reads in 1 MiB chunks; its legacy dos2unix rule applies per chunk, so the chunk
    /// size is part of the hash definition for `.md5Dos2Unix`.
    public static let chunkSize = 1 << 20

    private let buffer: UnsafeMutableRawBufferPointer

    public init() {
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// Hashes the file at `path` with each of `algorithms` in one pass over its bytes.
    ///
    /// - Parameter display: how to name the file in error messages.
    /// - Throws: ``InputError`` when the file cannot be opened or read.
    public func hash(file path: String, algorithms: Set<HashAlgorithm>, display: String? = nil) throws(InputError) -> FileDigests {
        let name = display ?? path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw InputError(FileSystem.describeErrno(errno, verb: "read", name: name)) }
        defer { close(fd) }
        #if os(Linux)
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
        var state = State(algorithms)
        while true {
            // Fill the whole chunk (short reads happen on pipes and network filesystems), so
            // that chunk boundaries fall where DVC's do.
            var filled = 0
            while filled < buffer.count {
                let n = read(fd, buffer.baseAddress! + filled, buffer.count - filled)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw InputError(FileSystem.describeErrno(errno, verb: "read", name: name))
                }
                if n == 0 { break }
                filled += n
            }
            if filled == 0 { break }
            state.update(UnsafeRawBufferPointer(rebasing: buffer[0..<filled]))
            if filled < buffer.count { break }
        }
        return state.finish()
    }

    /// Hashes bytes already in memory (a git blob, say), chunked as a file would be.
    public static func hash(bytes: UnsafeRawBufferPointer, algorithms: Set<HashAlgorithm>) -> FileDigests {
        var state = State(algorithms)
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + chunkSize, bytes.count)
            state.update(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
            offset = end
        }
        return state.finish()
    }

    /// Hashes bytes already in memory.
    public static func hash(bytes: [UInt8], algorithms: Set<HashAlgorithm>) -> FileDigests {
        bytes.withUnsafeBytes { hash(bytes: $0, algorithms: algorithms) }
    }

    struct State {
        var sha256: SHA256?
        var md5: Insecure.MD5?
        var md5Dos2Unix: Insecure.MD5?
        var size: Int64 = 0

        init(_ algorithms: Set<HashAlgorithm>) {
            if algorithms.contains(.sha256) { sha256 = SHA256() }
            if algorithms.contains(.md5) { md5 = Insecure.MD5() }
            if algorithms.contains(.md5Dos2Unix) { md5Dos2Unix = Insecure.MD5() }
        }

        mutating func update(_ chunk: UnsafeRawBufferPointer) {
            size += Int64(chunk.count)
            sha256?.update(bufferPointer: chunk)
            md5?.update(bufferPointer: chunk)
            if md5Dos2Unix != nil {
                if Dos2Unix.isText(UnsafeRawBufferPointer(rebasing: chunk.prefix(512))) {
                    let converted = Dos2Unix.convert(chunk)
                    converted.withUnsafeBytes { md5Dos2Unix!.update(bufferPointer: $0) }
                } else {
                    md5Dos2Unix!.update(bufferPointer: chunk)
                }
            }
        }

        func finish() -> FileDigests {
            FileDigests(
                sha256: sha256.map { Hex.string($0.finalize()) },
                md5: md5.map { Hex.string($0.finalize()) },
                md5Dos2Unix: md5Dos2Unix.map { Hex.string($0.finalize()) },
                size: size)
        }
    }
}

/// DVC 2's text heuristic and line-ending conversion (dvc-data `istextblock`, `dos2unix`).
enum Dos2Unix {
    /// Text when the block is empty, or has no NUL and at most 30% bytes outside printable
    /// ASCII plus `\n \r \t \f \b`.
    static func isText(_ block: UnsafeRawBufferPointer) -> Bool {
        if block.isEmpty { return true }
        var nonText = 0
        for byte in block {
            if byte == 0 { return false }
            let isTextByte = (32..<127).contains(byte) || byte == 0x0A || byte == 0x0D || byte == 0x09
                || byte == 0x0C || byte == 0x08
            if !isTextByte { nonText += 1 }
        }
        return Double(nonText) / Double(block.count) <= 0.30
    }

    /// The chunk with every CRLF replaced by LF.
    static func convert(_ chunk: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(chunk.count)
        var index = 0
        while index < chunk.count {
            let byte = chunk[index]
            if byte == 0x0D, index + 1 < chunk.count, chunk[index + 1] == 0x0A {
                out.append(0x0A)
                index += 2
            } else {
                out.append(byte)
                index += 1
            }
        }
        return out
    }
}
