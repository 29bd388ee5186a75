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
