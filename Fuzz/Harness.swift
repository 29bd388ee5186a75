#if canImport(Glibc)
import Glibc
#endif

/// The one libFuzzer entry point: `MLCI_FUZZ_TARGET` (pickle, zip, npy, header, keras, hdf5) picks
/// the reader, so one binary (built once) serves every harness.
let fuzzTarget: (UnsafePointer<UInt8>, Int) -> CInt = {
    switch getenv("MLCI_FUZZ_TARGET").map({ String(cString: $0) }) ?? "pickle" {
    case "zip": return fuzzZip
    case "npy": return fuzzNumpy
    case "header": return fuzzHeaders
    case "keras": return fuzzKeras
    case "hdf5": return fuzzHDF5
    default: return fuzzPickle
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzTarget(data, size)
}
