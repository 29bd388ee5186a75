/// libFuzzer harness: Keras config JSON walking and `.keras` zips through the scanner.
func fuzzKeras(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    _ = KerasConfig.problems(Array(bytes))
    _ = ModelScanner().scan(bytes: bytes, name: "fuzz.keras")
    return 0
}
