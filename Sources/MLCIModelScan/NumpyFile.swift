#if canImport(Glibc)
import Glibc
#endif

/// The `.npy` header (`\x93NUMPY`, version, header length, a Python dict literal).
enum NumpyFile {
    struct Header {
        let descr: String
        let dataOffset: Int
        /// Object arrays are stored as a pickle and run code when loaded with allow_pickle.
        var isObject: Bool { descr.contains("O") }
    }

    static func isNumpy(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        return bytes.count >= 6 && zip(bytes.prefix(6), magic).allSatisfy { $0 == $1 }
    }

    static func header(_ bytes: UnsafeRawBufferPointer) -> Result<Header, NumpyProblem> {
        guard bytes.count >= 10 else { return .failure(NumpyProblem("truncated .npy header")) }
        let major = bytes[6]
        let lengthStart = 8
        let length: Int
        let start: Int
        switch major {
        case 1:
            length = Int(bytes[8]) | Int(bytes[9]) << 8
            start = lengthStart + 2
        case 2, 3:
            guard bytes.count >= 12 else { return .failure(NumpyProblem("truncated .npy header")) }
            length = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            start = lengthStart + 4
        default:
            return .failure(NumpyProblem("unknown .npy format version \(major)"))
        }
        guard start + length <= bytes.count else { return .failure(NumpyProblem("the .npy header runs past the end of the file")) }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<start + length]), as: UTF8.self)
        guard let descrRange = text.firstRange(of: "'descr':") else { return .failure(NumpyProblem("the .npy header has no 'descr'")) }
        let rest = text[descrRange.upperBound...].drop { $0 == " " }
        let descr: String
        if rest.first == "'" {
            descr = String(rest.dropFirst().prefix { $0 != "'" })
        } else {
            // A structured dtype (a list of fields): object fields show up as 'O' inside it.
            descr = String(rest.prefix { $0 != "}" })
        }
        return .success(Header(descr: descr, dataOffset: start + length))
    }
}

struct NumpyProblem: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
