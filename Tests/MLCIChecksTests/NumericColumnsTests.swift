import Foundation
import MLCIData
import MLCISupport
import MLCITestSupport
import Testing

@Suite struct NumericColumnsTests {
    @Test func theFastReaderAgreesWithTheGeneralOneAndStrtod() throws {
        let sandbox = try GitSandbox(initialize: false)
        var generator = SystemRandomNumberGenerator()
        var text = "a,b,c\n"
        for row in 0..<20_000 {
            let a = Double.random(in: -1000...1000, using: &generator)
            let b = row % 97 == 0 ? "" : String(format: "%.6f", Double.random(in: 0...1, using: &generator))
            let c = ["1e-7", "-0.000001", "123456789012345678901", "3", "NA", "2.5E3", "0.1"][row % 7]
            text += "\(a),\(b),\(c)\n"
        }
        try sandbox.write("t.csv", text)
        let fast = try #require(try NumericColumns.read(path: sandbox.root + "/t.csv", display: "t.csv"))
        let table = try TableReader.read(path: sandbox.root + "/t.csv", display: "t.csv")
        for (index, name) in fast.names.enumerated() {
            let general = (table.column(name) ?? []).compactMap { $0.flatMap(Double.init) }
            #expect(fast.values[index] == general, "column \(name)")
        }
        #expect(fast.rows == 20_000)
    }

    /// Random decimal spellings: short and long mantissas, leading zeros, signs, exponents of
    /// both cases, ".5" and "5.", 17-digit round trips, halfway points, subnormals, huge values.
    static func spellings(count: Int, using generator: inout some RandomNumberGenerator) -> [String] {
        func digits(_ n: Int) -> String { String((0..<n).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) }) }
        var out: [String] = []
        while out.count < count {
            let sign = ["", "", "-", "+"].randomElement(using: &generator)!
            var body: String
            switch Int.random(in: 0..<9, using: &generator) {
            case 0: body = digits(Int.random(in: 1...20, using: &generator))
            case 1: body = digits(Int.random(in: 1...8, using: &generator)) + "." + digits(Int.random(in: 1...12, using: &generator))
            case 2: body = digits(Int.random(in: 0...3, using: &generator)) + "." + digits(Int.random(in: 15...30, using: &generator))
            case 3:  // a double's shortest round-trip spelling, in any exponent range
                let value = Double(bitPattern: UInt64.random(in: 0..<0x7FF0_0000_0000_0000, using: &generator))
                body = "\(value)"
            case 4: body = "0." + String(repeating: "0", count: Int.random(in: 0...25, using: &generator)) + digits(Int.random(in: 1...18, using: &generator))
            case 5:
                let e = ["e", "E"].randomElement(using: &generator)! + ["", "+", "-"].randomElement(using: &generator)!
                body = digits(Int.random(in: 1...19, using: &generator)) + (Bool.random(using: &generator) ? "." + digits(Int.random(in: 0...6, using: &generator)) : "")
                    + e + String(Int.random(in: 0...330, using: &generator))
            case 6: body = Bool.random(using: &generator) ? "." + digits(Int.random(in: 1...10, using: &generator)) : digits(Int.random(in: 1...10, using: &generator)) + "."
            case 7:  // exactly halfway between two neighbouring doubles (ties to even), or a hair off
                let n = UInt64.random(in: (1 << 52)..<(1 << 53), using: &generator)
                let tail = ["", "", "000000001", "0000000000000000000001"].randomElement(using: &generator)!
                body = Bool.random(using: &generator) ? "\(n).5" + tail : "\(2 * n + 1)" + (tail.isEmpty ? "" : "." + tail)
                if Bool.random(using: &generator) && tail.isEmpty { body = "\(n).4999999999999999999999" }
            default: body = digits(Int.random(in: 1...6, using: &generator)) + "." + digits(6)
            }
            out.append(sign + body)
        }
        return out
    }

    @Test func numbersReadAsPythonsFloatReadsThemOnAFreshCorpus() throws {
        let sandbox = try GitSandbox(initialize: false)
        var generator = SystemRandomNumberGenerator()
        let corpus = Self.spellings(count: 12_000, using: &generator)
        try sandbox.write("spellings.txt", corpus.joined(separator: "\n") + "\n")
        let python = ProcessInfo.processInfo.environment["MLCI_PYTHON"] ?? "python3"
        let script = "import struct, sys\nfor line in open(sys.argv[1]):\n    print(struct.unpack('<Q', struct.pack('<d', float(line.strip())))[0])\n"
        let result = try ProcessRunner.run(python, ["-c", script, sandbox.root + "/spellings.txt"])
        #expect(result.status == 0, "\(result.stderr)")
        let bits = result.stdout.split(separator: "\n").compactMap { UInt64($0) }
        try #require(bits.count == corpus.count)
        // Overflow to infinity is left to the general reader, so the corpus keeps finite values.
        let finite = corpus.indices.filter { Double(bitPattern: bits[$0]).isFinite }
        #expect(finite.count > 10_000)
        try sandbox.write("t.csv", "x\n" + finite.map { corpus[$0] }.joined(separator: "\n") + "\n")
        let read = try #require(try NumericColumns.read(path: sandbox.root + "/t.csv", display: "t.csv"))
        try #require(read.values[0].count == finite.count)
        var differences: [String] = []
        for (row, index) in finite.enumerated() where read.values[0][row].bitPattern != bits[index] {
            differences.append("\(corpus[index]): mlci \(read.values[0][row]), Python \(Double(bitPattern: bits[index]))")
        }
        #expect(differences.isEmpty, "\(differences.count) differ, e.g. \(differences.prefix(5))")
    }

    @Test func textOrQuotesHandTheFileToTheGeneralReader() throws {
        let sandbox = try GitSandbox(initialize: false)
        try sandbox.write("text.csv", "a,b\n1,x\n")
        try sandbox.write("quoted.csv", "a,b\n\"1\",2\n")
        #expect(try NumericColumns.read(path: sandbox.root + "/text.csv", display: "text.csv") == nil)
        #expect(try NumericColumns.read(path: sandbox.root + "/quoted.csv", display: "quoted.csv") == nil)
        #expect(try NumericColumns.read(path: sandbox.root + "/text.csv", display: "text.csv", columns: ["a"])?.values == [[1]])
        try sandbox.write("ragged.csv", "a,b\n1,2\n3\n")
        let error = #expect(throws: InputError.self) { try NumericColumns.read(path: sandbox.root + "/ragged.csv", display: "ragged.csv") }
        #expect(error?.description.contains("ragged.csv:3: error: row 2 has 1 field") == true)
    }
}
