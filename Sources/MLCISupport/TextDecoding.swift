/// Decoding of files users write, with a precise complaint when they are not UTF-8.
public enum TextDecoding {
    /// The bytes as UTF-8 text (a leading BOM dropped), or an ``InputError`` giving the line
    /// and column of the first invalid byte.
    public static func utf8(_ bytes: [UInt8], file: String) throws(InputError) -> String {
        var slice = bytes[...]
        if slice.starts(with: [0xEF, 0xBB, 0xBF]) { slice = slice.dropFirst(3) }
        if let text = String(validating: slice, as: UTF8.self) { return text }
        // Find the first invalid sequence for the message.
        var line = 1
        var lineStart = slice.startIndex
        var index = slice.startIndex
        var decoder = UTF8()
        var iterator = slice.makeIterator()
        var consumed = slice.startIndex
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                consumed += UTF8.width(scalar)
                if scalar == "\n" { line += 1; lineStart = consumed }
                index = consumed
            case .emptyInput: break loop
            case .error: break loop
            }
        }
        let column = String(decoding: slice[lineStart..<index], as: UTF8.self).count + 1
        throw InputError("the file is not valid UTF-8 text (byte 0x\(String(slice[index], radix: 16)))",
                         at: SourceLocation(file: file, line: line, column: column),
                         hint: "save it as UTF-8")
    }
}
