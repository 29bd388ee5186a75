/// libFuzzer harness: safetensors and ONNX header validation.
func fuzzHeaders(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    _ = SafeTensors.check(bytes)
    _ = ONNXCheck.check(bytes)
    return 0
}
