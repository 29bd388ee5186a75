/// The `.npy` header (`\x93NUMPY`, version, header length, a Python dict literal with `descr`,
/// `fortran_order` and `shape`). Object arrays (`descr` naming type `O`) hold a pickle that
/// `numpy.load(allow_pickle=True)` unpickles. Stateless; safe from any thread.
enum NumpyFile {
    struct Header {
        let text: String
        let dataOffset: Int
        /// Object arrays are stored as a pickle and run code when loaded with allow_pickle.
        let isObject: Bool
        /// The data size when the dtype is simple and the shape readable.
        let dataSize: Int?
    }

    static func isNumpy(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        return bytes.count >= 6 && zip(bytes.prefix(6), magic).allSatisfy { $0 == $1 }
    }

    static func header(_ bytes: UnsafeRawBufferPointer) -> Result<Header, NumpyProblem> {
        guard bytes.count >= 10 else { return .failure(NumpyProblem("truncated .npy header")) }
        let major = bytes[6]
        let length: Int
        let start: Int
        switch major {
        case 1:
            length = Int(bytes[8]) | Int(bytes[9]) << 8
            start = 10
        case 2, 3:
            guard bytes.count >= 12 else { return .failure(NumpyProblem("truncated .npy header")) }
            length = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            start = 12
        default:
            return .failure(NumpyProblem("unknown .npy format version \(major)"))
        }
        guard start + length <= bytes.count else { return .failure(NumpyProblem("the .npy header runs past the end of the file")) }
        let raw = bytes[start..<start + length]
        guard raw.allSatisfy({ $0 < 0x80 }) else { return .failure(NumpyProblem("the .npy header is not ASCII")) }
        let text = String(decoding: raw, as: UTF8.self)
        guard let afterDescr = after("'descr':", in: Substring(text)) else { return .failure(NumpyProblem("the .npy header has no 'descr'")) }
        let strings = quotedStrings(in: afterDescr)
        // A type string `O`, `|O`, `<O8`…: an object array (also inside a structured dtype).
        let isObject = strings.contains { token in
            let body = token.drop { "|<>=".contains($0) }
            return body.first == "O" && body.dropFirst().allSatisfy(\.isNumber)
        }
        return .success(Header(text: text, dataOffset: start + length, isObject: isObject, dataSize: dataSize(text)))
    }

    /// The text after the first occurrence of `needle`.
    static func after(_ needle: String, in text: Substring) -> Substring? {
        var rest = text
        while !rest.isEmpty {
            if rest.hasPrefix(needle) { return rest.dropFirst(needle.count) }
            rest = rest.dropFirst()
        }
        return nil
    }

    /// The quoted strings in a Python literal.
    static func quotedStrings<S: StringProtocol>(in text: S) -> [String] {
        var out: [String] = []
        var current: String?
        var quote: Character = "'"
        for character in text {
            if var open = current {
                if character == quote { out.append(open); current = nil } else { open.append(character); current = open }
            } else if character == "'" || character == "\"" {
                quote = character
                current = ""
            }
        }
        return out
    }

    /// `prod(shape) × itemsize` for a simple descr like `'<f8'`, else `nil`.
    static func dataSize(_ text: String) -> Int? {
        guard let d = after("'descr': '", in: Substring(text)), let end = d.firstIndex(of: "'") else { return nil }
        let descr = d[..<end].drop { "|<>=".contains($0) }
        guard let kind = descr.first, let number = Int(descr.dropFirst()) else { return nil }
        let itemsize: Int
        switch kind {
        case "f", "i", "u", "b", "c", "S", "V", "M", "m": itemsize = number
        case "U": itemsize = number * 4
        default: return nil
        }
        guard let s = after("'shape': (", in: Substring(text)), let close = s.firstIndex(of: ")") else { return nil }
        var count = 1
        for part in s[..<close].split(separator: ",") {
            let trimmed = part.filter { $0 != " " && $0 != "L" }
            if trimmed.isEmpty { continue }
            guard let value = Int(trimmed), value >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: value)
            guard !overflow else { return nil }
            count = product
        }
        let (size, overflow) = count.multipliedReportingOverflow(by: itemsize)
        return overflow ? nil : size
    }
}

struct NumpyProblem: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
