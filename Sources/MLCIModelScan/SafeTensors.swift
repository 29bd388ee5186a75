import MLCISupport

/// safetensors: a little-endian u64 header length, a JSON header (`dtype`, `shape`,
/// `data_offsets` per tensor, optional `__metadata__`), then raw bytes. No code.
enum SafeTensors {
    /// Known dtypes and their element size in bytes (0: sub-byte, not size-checked).
    static let dtypes: [String: Int] = ["BOOL": 1, "U8": 1, "I8": 1, "U16": 2, "I16": 2, "F16": 2, "BF16": 2, "U32": 4, "I32": 4,
                                        "F32": 4, "F64": 8, "U64": 8, "I64": 8, "F8_E4M3": 1, "F8_E5M2": 1, "F8_E8M0": 1,
                                        "F4": 0, "F6_E2M3": 0, "F6_E3M2": 0, "C64": 8]

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
        for (name, entry) in tensors {
            if name == "__metadata__" {
                guard let members = entry.objectValue, members.allSatisfy({ $0.1.stringValue != nil }) else {
                    return "__metadata__ is not a map of strings"
                }
                continue
            }
            guard let dtype = entry["dtype"]?.stringValue, let width = dtypes[dtype] else { return "tensor '\(name)' has an unknown dtype" }
            guard let shape = entry["shape"]?.arrayValue else { return "tensor '\(name)' has no shape" }
            var elements = 1
            for dimension in shape {
                guard case .int(let d) = dimension, d >= 0 else { return "tensor '\(name)' has an invalid shape" }
                let (product, overflow) = elements.multipliedReportingOverflow(by: Int(d))
                guard !overflow else { return "tensor '\(name)' has a shape that overflows" }
                elements = product
            }
            guard let offsets = entry["data_offsets"]?.arrayValue, offsets.count == 2,
                  case .int(let b) = offsets[0], case .int(let e) = offsets[1],
                  b >= 0, b <= e, e <= Int64(dataSize) else {
                return "tensor '\(name)' has data_offsets outside the data"
            }
            let begin = Int(b), end = Int(e)
            if width > 0 {
                let (bytes, overflow) = elements.multipliedReportingOverflow(by: width)
                guard !overflow, bytes == end - begin else { return "tensor '\(name)' has \(end - begin) bytes for its shape and dtype, not \(overflow ? "that" : String(bytes))" }
            }
            ranges.append((begin, end, name))
        }
        ranges.sort { $0.0 < $1.0 }
        var expected = 0
        for (begin, end, name) in ranges {
            guard begin == expected else {
                return begin < expected ? "tensor '\(name)' overlaps the one before it" : "\(begin - expected) bytes before tensor '\(name)' belong to no tensor"
            }
            expected = end
        }
        guard expected == dataSize else { return "\(dataSize - expected) bytes after the last tensor belong to no tensor" }
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
        var sawGraph = false
        while at < bytes.count {
            let start = at
            guard let key = varint(), key >> 3 > 0 else { return (start, "not a protobuf (ONNX) message at byte \(start)") }
            // ModelProto: ir_version (1) is a varint, graph (7) a message.
            if key >> 3 == 1, key & 7 != 0 { return (start, "ir_version is not a varint") }
            if key >> 3 == 7 { guard key & 7 == 2 else { return (start, "graph is not a message") }; sawGraph = true }
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
        return sawGraph ? nil : (0, "no graph: not an ONNX model")
    }
}
