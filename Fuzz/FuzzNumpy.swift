/// libFuzzer harness: `.npy` headers and the whole scanner on numpy-looking input.
func fuzzNumpy(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    _ = NumpyFile.header(bytes)
    _ = ModelScanner().scan(bytes: bytes, name: "fuzz.npy")
    return 0
}
