import Foundation
import MLCISupport
import MLCITestSupport
import Testing

@Suite struct CheckDataTests {
    func repository(_ csv: String) throws -> GitSandbox {
        let sandbox = try GitSandbox()
        try sandbox.write("mlci.yaml", """
        version: 1
        gate:
          data:
            data/train.csv:
              columns: { customer_id: string, age: int, income: float, gender: category }
              not_null: [customer_id]
              unique: [customer_id]
              between: { age: [0, 120] }
              in_set: { gender: [F, M, X] }
              regex: { customer_id: "C[0-9]{3}" }
              rows: { min: 3 }

        """)
        try sandbox.write("data/train.csv", csv)
        return sandbox
    }

    @Test func aTableThatMeetsItsExpectationsPasses() throws {
        let sandbox = try repository("customer_id,age,income,gender\nC001,34,5000.5,F\nC002,51,,M\nC003,19,1200,X\n")
        let result = try mlci("check", "data", "data/train.csv", in: sandbox)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("data/train.csv: 3 rows, 4 columns"))
    }

    @Test func aFailingExpectationNamesTheCountPercentAndRows() throws {
        let sandbox = try repository("customer_id,age,income,gender\nC001,34,1,F\nC002,151,2,M\nC002,19,3,Q\nbad,-1,4,F\n")
        let result = try mlci("check", "data", "--json", "data/train.csv", in: sandbox)
        #expect(result.status == 1)
        let checks = try json(result)["checks"]?.arrayValue ?? []
        let between = checks.first { $0["check"] == "data.between" }
        #expect(between?["outcome"] == "failed")
        #expect(between?["observed"]?["unexpected_count"] == 2)
        #expect(between?["observed"]?["unexpected_percent"] == 50.0)
        #expect(between?["observed"]?["examples"]?.arrayValue?.map { $0["row"] } == [2, 4])
        #expect(between?["location"]?["line"] == 4)
        #expect(checks.first { $0["check"] == "data.unique" }?["observed"]?["unexpected_count"] == 2)
        #expect(checks.first { $0["check"] == "data.regex" }?["observed"]?["unexpected_count"] == 1)
        #expect(checks.first { $0["check"] == "data.in_set" }?["outcome"] == "failed")
    }

    @Test(arguments: [
        ("customer_id,age,income,gender\nC001,34,1,F\nC002,old,2,M\n", "data/train.csv:3: error: column 'age' is declared int, but row 2 holds 'old'"),
        ("customer_id,age,gender\nC001,34,F\n", "data/train.csv:1: error: data/train.csv has no column 'income'"),
        ("customer_id,age,income,gender\nC001,34,1\n", "data/train.csv:2: error: row 1 has 3 fields, the header has 4"),
        ("", "data/train.csv:1: error: data/train.csv is empty"),
    ])
    func unreadableDataIsBadInput(csv: String, message: String) throws {
        let sandbox = try repository(csv)
        let result = try mlci("check", "data", "data/train.csv", in: sandbox)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func withoutExpectationsTheColumnsAndTypesAreShown() throws {
        let sandbox = try GitSandbox(initialize: false)
        try sandbox.write("t.tsv", "a\tb\n1\tx\n2\t\n")
        let result = try mlci("check", "data", "t.tsv", in: sandbox)
        #expect(result.status == 0)
        #expect(result.stdout.contains("a: int64"))
        #expect(result.stdout.contains("b: object"))
    }

    @Test func verifyGatesTheDataToo() throws {
        let sandbox = try repository("customer_id,age,income,gender\nC001,34,1,F\nC002,151,2,M\nC003,19,3,X\n")
        try sandbox.commit("data")
        let result = try mlci("verify", in: sandbox)
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("data.between"))
        #expect(result.stdout.contains("1 of 3 values of 'age' (33.333333%) fail: between 0 and 120; e.g. '151' (row 2)"))
    }
}
