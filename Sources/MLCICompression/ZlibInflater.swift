import CDeflate

/// Inflates many small zlib streams (RFC 1950) of known size, as a git pack holds them, with
/// libdeflate: one decompressor reused for every stream, and a decoder about twice as fast as
/// zlib's on the commits and trees a history walk reads (zlib sets up 40 KB of state per
/// stream and rebuilds its tables for each one).
///
/// Owned by one thread at a time: not `Sendable`.
public final class ZlibInflater {
    private let decompressor: OpaquePointer?

    public init() {
        decompressor = libdeflate_alloc_decompressor()
    }

    deinit { libdeflate_free_decompressor(decompressor) }

    /// Inflates the zlib stream at the start of `input` into `output`, which it must fill
    /// exactly, ending the stream there (its Adler-32 checked). Returns how many bytes of
    /// `input` the stream took, or `nil` when the data is corrupt, holds more or fewer bytes
    /// than `output`, or does not end within `input`.
    public func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int? {
        guard let decompressor, let source = input.baseAddress else { return nil }
        var spare: UInt8 = 0
        var consumed = 0
        var produced = 0
        let result = withUnsafeMutableBytes(of: &spare) { spare in
            // An empty object still has a stream to end: give libdeflate a byte it must not use.
            let target = output.count > 0 ? output : spare
            return libdeflate_zlib_decompress_ex(decompressor, source, input.count, target.baseAddress, output.count,
                                                 &consumed, &produced)
        }
        guard result == LIBDEFLATE_SUCCESS, produced == output.count else { return nil }
        return consumed
    }
}
