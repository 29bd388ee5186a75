/// libFuzzer harness: the zipfile-style archive reader and member extraction.
func fuzzZip(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if let archive = try? ZipArchive(bytes) {
        for member in archive.members.prefix(16) { _ = try? archive.read(member, limit: 1 << 20) }
    }
    return 0
}
