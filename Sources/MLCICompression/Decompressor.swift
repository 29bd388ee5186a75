import CBrotli
import CLZ4
import CSnappy
import CZlib
import CZstd

/// The block codecs Parquet pages use, decoded by Debian's C libraries (snappy, zlib, zstd,
/// lz4, brotli). The only module that touches those libraries' pointers.
///
/// Stateless; every call is independent and safe from any thread.
public enum Decompressor {
    public enum Codec: Sendable, Equatable {
        case snappy, gzip, zstd, lz4Raw, brotli
    }

    /// Why a block could not be decoded (the caller adds the file and position).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// Decodes `input` into exactly `outputSize` bytes; anything else is a ``Failure``.
    public static func decompress(_ codec: Codec, _ input: UnsafeRawBufferPointer, outputSize: Int) throws(Failure) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: outputSize)
        var failure: Failure?
        output.withUnsafeMutableBytes { out in
            do throws(Failure) {
                try decompress(codec, input, into: out)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return output
    }

    /// Decodes `input` into all of `output`.
    public static func decompress(_ codec: Codec, _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(Failure) {
        let source = input.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        guard let target = output.baseAddress ?? UnsafeMutableRawPointer(bitPattern: 1) else { return }
        switch codec {
        case .snappy:
            var length = 0
            let chars = source.assumingMemoryBound(to: CChar.self)
            guard snappy_uncompressed_length(chars, input.count, &length) == SNAPPY_OK else { throw Failure("not a snappy block") }
            guard length == output.count else { throw Failure("snappy block holds \(length) bytes, the page header says \(output.count)") }
            var size = output.count
            guard snappy_uncompress(chars, input.count, target.assumingMemoryBound(to: CChar.self), &size) == SNAPPY_OK, size == output.count else {
                throw Failure("corrupt snappy block")
            }
        case .zstd:
            let result = ZSTD_decompress(target, output.count, source, input.count)
            if ZSTD_isError(result) != 0 { throw Failure("zstd: \(String(cString: ZSTD_getErrorName(result)))") }
            guard result == output.count else { throw Failure("zstd frame holds \(result) bytes, the page header says \(output.count)") }
        case .lz4Raw:
            guard input.count <= Int(Int32.max), output.count <= Int(Int32.max) else { throw Failure("lz4 block too large") }
            let result = LZ4_decompress_safe(source.assumingMemoryBound(to: CChar.self), target.assumingMemoryBound(to: CChar.self),
                                             Int32(input.count), Int32(output.count))
            guard result == Int32(output.count) else { throw Failure(result < 0 ? "corrupt lz4 block" : "lz4 block holds \(result) bytes, the page header says \(output.count)") }
        case .brotli:
            var size = output.count
            let result = BrotliDecoderDecompress(input.count, source.assumingMemoryBound(to: UInt8.self), &size, target.assumingMemoryBound(to: UInt8.self))
            guard result == BROTLI_DECODER_RESULT_SUCCESS else { throw Failure("corrupt brotli stream") }
            guard size == output.count else { throw Failure("brotli stream holds \(size) bytes, the page header says \(output.count)") }
        case .gzip:
            try gunzip(input, into: output)
        }
    }

    /// One or more concatenated gzip members.
    static func gunzip(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(Failure) {
        var produced = 0
        var consumed = 0
        while consumed < input.count {
            var stream = z_stream()
            guard czlib_inflate_init_gzip(&stream) == Z_OK else { throw Failure("zlib could not start") }
            defer { inflateEnd(&stream) }
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.advanced(by: consumed).assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count - consumed)
            stream.next_out = output.baseAddress.map { $0.advanced(by: produced).assumingMemoryBound(to: Bytef.self) }
            stream.avail_out = uInt(output.count - produced)
            let status = inflate(&stream, Z_FINISH)
            guard status == Z_STREAM_END else {
                throw Failure(status == Z_BUF_ERROR || status == Z_OK ? "gzip data longer than the page header says" : "corrupt gzip data")
            }
            produced = output.count - Int(stream.avail_out)
            consumed = input.count - Int(stream.avail_in)
            // Trailing zero padding after the last member is tolerated.
            if input[consumed...].allSatisfy({ $0 == 0 }) { break }
        }
        guard produced == output.count else { throw Failure("gzip data holds \(produced) bytes, the page header says \(output.count)") }
    }

    /// CRC-32 (the gzip/zlib polynomial), as Parquet's page checksum.
    public static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress else { return 0 }
        var crc: uLong = CZlib.crc32(0, nil, 0)
        var offset = 0
        while offset < bytes.count {
            let step = min(bytes.count - offset, 1 << 30)
            crc = CZlib.crc32(crc, base.advanced(by: offset).assumingMemoryBound(to: Bytef.self), uInt(step))
            offset += step
        }
        return UInt32(truncatingIfNeeded: crc)
    }
}
