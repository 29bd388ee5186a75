/// The checksum HDF5 puts on its metadata (superblock v2+, v2 object headers, fractal heap and
/// v2 B-tree blocks): Bob Jenkins' lookup3 `hashlittle` over the bytes, byte by byte, initial
/// value 0 (`H5_checksum_metadata`). Pure function; safe from any thread.
enum HDF5Checksum {
    static func lookup3(_ bytes: UnsafeRawBufferPointer, initial: UInt32 = 0) -> UInt32 {
        var length = bytes.count
        var a: UInt32 = 0xDEAD_BEEF &+ UInt32(truncatingIfNeeded: length) &+ initial
        var b = a
        var c = a
        var k = 0
        @inline(__always) func rot(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << n) | (x >> (32 - n)) }
        @inline(__always) func word(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        while length > 12 {
            a = a &+ word(k); b = b &+ word(k + 4); c = c &+ word(k + 8)
            a = a &- c; a ^= rot(c, 4); c = c &+ b
            b = b &- a; b ^= rot(a, 6); a = a &+ c
            c = c &- b; c ^= rot(b, 8); b = b &+ a
            a = a &- c; a ^= rot(c, 16); c = c &+ b
            b = b &- a; b ^= rot(a, 19); a = a &+ c
            c = c &- b; c ^= rot(b, 4); b = b &+ a
            length -= 12
            k += 12
        }
        if length == 0 { return c }
        // The tail: up to 12 bytes, each added into a, b or c at its place.
        for i in stride(from: length - 1, through: 0, by: -1) {
            let value = UInt32(bytes[k + i]) << UInt32((i % 4) * 8)
            switch i / 4 {
            case 0: a = a &+ value
            case 1: b = b &+ value
            default: c = c &+ value
            }
        }
        c ^= b; c = c &- rot(b, 14)
        a ^= c; a = a &- rot(c, 11)
        b ^= a; b = b &- rot(a, 25)
        c ^= b; c = c &- rot(b, 16)
        a ^= c; a = a &- rot(c, 4)
        b ^= a; b = b &- rot(a, 14)
        c ^= b; c = c &- rot(b, 24)
        return c
    }
}
