import CBZip2
import CLZMA
import CZlib

/// The one place the model scanner touches zlib, libbz2 and liblzma: whole-buffer decompression
/// with an output limit, for zip members (raw deflate), joblib's compressors (zlib, gzip, bz2,
/// xz, lzma) and `.gz`/`.bz2`/`.xz` wrappers. Like Python's `gzip`, `bz2` and `lzma` modules,
/// concatenated gzip, bzip2 and xz streams are all read.
///
/// Stateless; safe from any thread.
enum Decompress {
    enum Codec: String, Sendable {
        case deflate = "raw deflate", zlib, gzip, bzip2, xz, lzma
    }

    struct Failure: Error { let message: String }

    /// The codec a compressed file starts with, by joblib's magic numbers.
    static func sniff(_ bytes: UnsafeRawBufferPointer) -> Codec? {
        func starts(_ magic: [UInt8]) -> Bool { bytes.count >= magic.count && zip(bytes, magic).allSatisfy { $0 == $1 } }
        if starts([0x1F, 0x8B]) { return .gzip }
        if starts([0x42, 0x5A, 0x68]) { return .bzip2 }
        if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
        if starts([0x5D, 0x00, 0x00]) { return .lzma }
        if bytes.count >= 2, bytes[0] == 0x78, (UInt16(bytes[0]) << 8 | UInt16(bytes[1])) % 31 == 0 { return .zlib }
        return nil
    }

    /// The whole decompressed content, at most `limit` bytes; a failure names what went wrong.
    static func decompress(_ input: UnsafeRawBufferPointer, codec: Codec, limit: Int, expected: Int = 0) throws(Failure) -> [UInt8] {
        switch codec {
        case .deflate: return try inflate(input, windowBits: -15, limit: limit, expected: expected, multiMember: false)
        case .zlib: return try inflate(input, windowBits: 15, limit: limit, expected: expected, multiMember: false)
        case .gzip: return try inflate(input, windowBits: 31, limit: limit, expected: expected, multiMember: true)
        case .bzip2: return try bunzip(input, limit: limit)
        case .xz, .lzma: return try unxz(input, limit: limit)
        }
    }

    static func grow(_ out: inout [UInt8], produced: Int, limit: Int) throws(Failure) {
        guard out.count < limit else { throw Failure(message: "decompresses to more than \(limit) bytes (the size budget)") }
        out.append(contentsOf: repeatElement(0, count: min(max(out.count, 1 << 16), limit - out.count)))
    }

    static func inflate(_ input: UnsafeRawBufferPointer, windowBits: Int32, limit: Int, expected: Int, multiMember: Bool) throws(Failure) -> [UInt8] {
        let name = windowBits == 31 ? "gzip" : windowBits == 15 ? "zlib" : "deflate"
        var out = [UInt8](repeating: 0, count: min(max(expected, 1 << 16), limit))
        var produced = 0
        var consumed = 0
        repeat {
            var stream = z_stream()
            guard czlib_inflate_init2(&stream, windowBits) == Z_OK else { throw Failure(message: "cannot start zlib") }
            defer { inflateEnd(&stream) }
            while true {
                if produced == out.count { try grow(&out, produced: produced, limit: limit) }
                let status = out.withUnsafeMutableBytes { buffer -> Int32 in
                    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) + consumed })
                    stream.avail_in = UInt32(clamping: input.count - consumed)
                    stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self) + produced
                    stream.avail_out = UInt32(clamping: buffer.count - produced)
                    let room = Int(stream.avail_out)
                    let available = Int(stream.avail_in)
                    let result = CZlib.inflate(&stream, Z_NO_FLUSH)
                    produced += room - Int(stream.avail_out)
                    consumed += available - Int(stream.avail_in)
                    return result
                }
                if status == Z_STREAM_END { break }
                if status == Z_BUF_ERROR || (status == Z_OK && consumed == input.count && produced < out.count) {
                    guard consumed < input.count else { throw Failure(message: "\(name) data is truncated") }
                    continue
                }
                guard status == Z_OK else { throw Failure(message: "corrupt \(name) data") }
            }
            // gzip files may be padded with zeros after a member.
            if multiMember { while consumed < input.count, input[consumed] == 0 { consumed += 1 } }
        } while multiMember && consumed < input.count
        if !multiMember, consumed < input.count {
            throw Failure(message: "\(input.count - consumed) bytes follow the end of the \(name) stream")
        }
        out.removeSubrange(produced...)
        return out
    }

    static func bunzip(_ input: UnsafeRawBufferPointer, limit: Int) throws(Failure) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: min(1 << 20, limit))
        var produced = 0
        var consumed = 0
        repeat {
            var stream = bz_stream()
            guard BZ2_bzDecompressInit(&stream, 0, 0) == BZ_OK else { throw Failure(message: "cannot start bzip2") }
            defer { BZ2_bzDecompressEnd(&stream) }
            while true {
                if produced == out.count { try grow(&out, produced: produced, limit: limit) }
                let available = input.count - consumed
                let status = out.withUnsafeMutableBytes { buffer -> Int32 in
                    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: CChar.self) + consumed)
                    stream.avail_in = UInt32(clamping: available)
                    stream.next_out = (buffer.baseAddress! + produced).assumingMemoryBound(to: CChar.self)
                    stream.avail_out = UInt32(clamping: buffer.count - produced)
                    let room = Int(stream.avail_out)
                    let inputBefore = Int(stream.avail_in)
                    let result = BZ2_bzDecompress(&stream)
                    produced += room - Int(stream.avail_out)
                    consumed += inputBefore - Int(stream.avail_in)
                    return result
                }
                if status == BZ_STREAM_END { break }
                guard status == BZ_OK else { throw Failure(message: "corrupt bzip2 data") }
                if consumed >= input.count, produced < out.count { throw Failure(message: "bzip2 data is truncated") }
            }
        } while consumed < input.count
        out.removeSubrange(produced...)
        return out
    }

    static func unxz(_ input: UnsafeRawBufferPointer, limit: Int) throws(Failure) -> [UInt8] {
        var stream = clzma_stream_init()
        guard lzma_auto_decoder(&stream, UInt64.max, clzma_concatenated) == LZMA_OK else { throw Failure(message: "cannot start lzma") }
        defer { lzma_end(&stream) }
        var out = [UInt8](repeating: 0, count: min(1 << 20, limit))
        var produced = 0
        stream.next_in = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.avail_in = input.count
        var action = LZMA_RUN
        while true {
            if produced == out.count { try grow(&out, produced: produced, limit: limit) }
            if stream.avail_in == 0 { action = LZMA_FINISH }
            let status = out.withUnsafeMutableBytes { buffer -> lzma_ret in
                stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self) + produced
                stream.avail_out = buffer.count - produced
                let room = stream.avail_out
                let result = lzma_code(&stream, action)
                produced += room - stream.avail_out
                return result
            }
            if status == LZMA_STREAM_END { break }
            guard status == LZMA_OK else {
                throw Failure(message: status == LZMA_BUF_ERROR ? "xz/lzma data is truncated" : "corrupt xz/lzma data (liblzma error \(status.rawValue))")
            }
        }
        out.removeSubrange(produced...)
        return out
    }
}

extension Decompress {
    /// zlib's CRC-32 of `bytes` (zip members' checksums).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            var crc: UInt = CZlib.crc32(0, nil, 0)
            var offset = 0
            while offset < buffer.count {
                let chunk = min(buffer.count - offset, 1 << 30)
                crc = CZlib.crc32(crc, buffer.baseAddress! + offset, UInt32(chunk))
                offset += chunk
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }
}
