import MLCISupport

/// safetensors: a little-endian u64 header length, a JSON header (`dtype`, `shape`,
/// `data_offsets` per tensor, optional `__metadata__`), then raw bytes. No code.
enum SafeTensors {
    static let dtypes: Set<String> = ["BOOL", "U8", "I8", "U16", "I16", "F16", "BF16", "U32", "I32", "F32", "F64", "U64", "I64",
                                      "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64"]

    static func looksLike(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 10 else { return false }
        let length = headerLength(bytes)
        return length > 1 && length <= bytes.count - 8 && bytes[8] == UInt8(ascii: "{")
    }

    static func headerLength(_ bytes: UnsafeRawBufferPointer) -> Int {
        var value: UInt64 = 0
        for k in stride(from: 7, through: 0, by: -1) { value = value << 8 | UInt64(bytes[k]) }
        return value > UInt64(Int.max) ? Int.max : Int(value)
    }

    /// What is wrong with the header, or `nil` when it is sound.
    static func check(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard bytes.count >= 8 else { return "shorter than its 8-byte length prefix" }
        let length = headerLength(bytes)
        guard length <= bytes.count - 8, length <= 100 << 20 else { return "the header length \(length) is larger than the file" }
        let header: JSONValue
        do {
            header = try JSONParser().parse(Array(bytes[8..<8 + length]))
        } catch {
            return "the header is not JSON (\(error))"
        }
        guard case .object(let tensors) = header else { return "the header is not a JSON object" }
        let dataSize = bytes.count - 8 - length
        var ranges: [(Int, Int, String)] = []
        for (name, entry) in tensors where name != "__metadata__" {
            guard let dtype = entry["dtype"]?.stringValue, dtypes.contains(dtype) else { return "tensor '\(name)' has an unknown dtype" }
            guard let shape = entry["shape"]?.arrayValue, shape.allSatisfy({ ($0.doubleValue ?? -1) >= 0 }) else {
                return "tensor '\(name)' has no valid shape"
            }
            guard let offsets = entry["data_offsets"]?.arrayValue, offsets.count == 2,
                  let begin = offsets[0].doubleValue.map(Int.init), let end = offsets[1].doubleValue.map(Int.init),
                  begin >= 0, begin <= end, end <= dataSize else {
                return "tensor '\(name)' has data_offsets outside the data"
            }
            ranges.append((begin, end, name))
        }
        ranges.sort { $0.0 < $1.0 }
        for index in ranges.indices.dropFirst() where ranges[index].0 < ranges[index - 1].1 {
            return "tensors '\(ranges[index - 1].2)' and '\(ranges[index].2)' overlap"
        }
        return nil
    }
}

/// ONNX is protobuf (no pickle): check that the top level parses as protobuf fields.
enum ONNXCheck {
    static func check(_ bytes: UnsafeRawBufferPointer) -> (offset: Int, message: String)? {
        var at = 0
        func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while at < bytes.count, shift < 64 {
                let byte = bytes[at]
                at += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }
        if bytes.isEmpty { return (0, "the ONNX file is empty") }
        while at < bytes.count {
            let start = at
            guard let key = varint(), key >> 3 > 0 else { return (start, "not a protobuf (ONNX) message at byte \(start)") }
            switch key & 7 {
            case 0: guard varint() != nil else { return (start, "truncated varint") }
            case 1: at += 8
            case 2:
                guard let length = varint(), length <= UInt64(bytes.count - at) else { return (start, "a field's length runs past the end") }
                at += Int(length)
            case 5: at += 4
            default: return (start, "unsupported protobuf wire type at byte \(start)")
            }
            if at > bytes.count { return (start, "truncated field at byte \(start)") }
        }
        return nil
    }
}
