/// Legacy (non-zip) PyTorch files, `torch.save(..., _use_new_zipfile_serialization=False)`:
/// five pickles (magic number, protocol version, system info, the object, the sorted storage
/// keys), then each storage's raw bytes — an int64 element count and that many elements — in
/// key order, to the end of the file. `torch.load` unpickles the five and reads the raw bytes
/// into storages; nothing after the fifth pickle is unpickled.
extension ModelScanner {
    /// Bytes per element of each storage class a legacy persistent ID names.
    static let legacyStorageSizes: [String: Int] = [
        "torch.DoubleStorage": 8, "torch.FloatStorage": 4, "torch.HalfStorage": 2, "torch.BFloat16Storage": 2,
        "torch.LongStorage": 8, "torch.IntStorage": 4, "torch.ShortStorage": 2, "torch.CharStorage": 1,
        "torch.ByteStorage": 1, "torch.BoolStorage": 1, "torch.ComplexDoubleStorage": 16, "torch.ComplexFloatStorage": 8,
        "torch.QInt8Storage": 1, "torch.QUInt8Storage": 1, "torch.QInt32Storage": 4, "torch.QUInt4x2Storage": 1,
        "torch.QUInt2x4Storage": 1,
    ]

    /// Reads the five pickles as CPython does, then the raw storages exactly: each storage the
    /// object refers to (by persistent ID) once, in the order of the key list, with the element
    /// count its ID declares, ending exactly at the end of the file. Anything else is a finding.
    func scanLegacyTorch(_ bytes: UnsafeRawBufferPointer, source: String, into context: inout Context) {
        let scan = scanPickles(bytes, source: source, joblib: false, maxPickles: 5, into: &context)
        if scan.problems.contains(where: \.isFatal) { return }  // already a finding
        if let problem = Self.legacyStorageProblem(bytes, scan) {
            context.add(.malformed, source, scan.end, nil, "\(source): legacy PyTorch file: \(problem); the file cannot be read completely, so it is not safe")
        }
    }

    static func legacyStorageProblem(_ bytes: UnsafeRawBufferPointer, _ scan: PickleScan) -> String? {
        guard scan.pickles == 5 else {
            return "it holds \(scan.pickles) pickles where torch.load reads five (magic number, protocol, system info, object, storage keys)"
        }
        var storages: [String: (size: Int, numel: Int)] = [:]
        for storage in scan.storages {
            guard let key = storage.key, let type = storage.type, let numel = storage.numel, numel >= 0 else {
                return "a storage persistent ID that is not ('storage', type, key, location, numel, …)"
            }
            guard let size = legacyStorageSizes[type] else { return "storage key '\(key)' has an unknown storage type \(type)" }
            if let known = storages[key], known != (size, numel) {
                return "storage key '\(key)' is declared twice with different types or sizes"
            }
            storages[key] = (size, numel)
        }
        // Python sorts the keys by code point.
        let keys = storages.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) { $0.value < $1.value } }
        guard let list = scan.lastList, list.count == keys.count, list.strings.count == min(list.count, PickleNode.tracked),
              list.strings == Array(keys.prefix(list.strings.count)) else {
            return "the storage key list (the fifth pickle) is not the sorted keys of the \(keys.count) storages the object refers to"
        }
        var at = scan.end
        for key in keys {
            let (size, numel) = storages[key]!
            guard bytes.count - at >= 8 else { return "storage '\(key)' is truncated (no element count at byte \(at))" }
            var count: UInt64 = 0
            for k in 0..<8 { count |= UInt64(bytes[at + k]) << UInt64(8 * k) }
            guard count == UInt64(numel) else { return "storage '\(key)' holds \(count) elements at byte \(at) where its ID declares \(numel)" }
            let (length, overflow) = numel.multipliedReportingOverflow(by: size)
            guard !overflow, length <= bytes.count - at - 8 else { return "storage '\(key)' is truncated (\(length) bytes declared at byte \(at))" }
            at += 8 + length
        }
        guard at == bytes.count else {
            return "\(bytes.count - at) bytes follow the last storage at byte \(at) (torch.load never reads them)"
        }
        return nil
    }
}
