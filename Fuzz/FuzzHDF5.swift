/// libFuzzer harness: the HDF5 reader (superblock, object headers, attributes, dense storage)
/// directly, and `.h5` files through the scanner.
func fuzzHDF5(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if let file = try? HDF5File(bytes, steps: 20_000) { _ = try? file.rootAttributes() }
    _ = ModelScanner().scan(bytes: bytes, name: "fuzz.h5")
    return 0
}
