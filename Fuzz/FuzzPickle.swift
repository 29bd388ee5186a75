/// libFuzzer harness: the pickle machine (plain and joblib modes) on arbitrary bytes.
func fuzzPickle(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    _ = PickleScanner.scan(bytes, joblib: false)
    _ = PickleScanner.scan(bytes, joblib: true)
    return 0
}
