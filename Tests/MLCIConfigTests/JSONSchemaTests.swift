import Foundation
import MLCIConfig
import MLCISupport
import MLCITestSupport
import Testing

@Suite struct JSONSchemaTests {
    @Test func theShippedSchemaIsTheOneTheLoaderUses() throws {
        let shipped = try String(contentsOfFile: MLCIBinary.packageRoot + "/schemas/mlci.schema.json", encoding: .utf8)
        let generated = JSONWriter().string(ConfigSchema.root.jsonSchema(
            id: "https://github.com/mlci/mlci/schemas/mlci.schema.json", title: "mlci.yaml (version 1)"))
        #expect(shipped == generated, "run 'make schema' to regenerate schemas/mlci.schema.json")
    }

    /// Python's jsonschema (the validator editors and CI use) must accept what the loader
    /// accepts and reject the structural mistakes it rejects.
    @Test func jsonschemaAgreesWithTheLoader() throws {
        let python = ProcessInfo.processInfo.environment["MLCI_PYTHON"] ?? "python3"
        let sandbox = try GitSandbox(initialize: false)
        var cases: [(String, String)] = [("full", ConfigFixtures.full), ("minimal", "version: 1\n")]
        for (index, mistake) in ConfigLoaderTests.mistakes.enumerated() {
            // Mistakes only the whole file can show (cycles, min > max, duplicates, tabs,
            // unsupported YAML) are the loader's alone.
            if ["cycle between stages", "contradicting bounds", "duplicate key", "tab indentation"].contains(mistake.0) { continue }
            cases.append(("mistake\(index)", mistake.1))
        }
        for (name, yaml) in cases { try sandbox.write("\(name).yaml", yaml) }
        let script = """
        import json, sys, yaml, jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        v = jsonschema.Draft202012Validator(schema)
        for path in sys.argv[2:]:
            doc = yaml.safe_load(open(path))
            print(path.rsplit('/', 1)[-1], 'valid' if v.is_valid(doc) else 'invalid')
        """
        try sandbox.write("check.py", script)
        let result = try ProcessRunner.run(python, [sandbox.root + "/check.py", MLCIBinary.packageRoot + "/schemas/mlci.schema.json"]
                                                  + cases.map { sandbox.root + "/\($0.0).yaml" })
        #expect(result.status == 0, "\(result.stderr)")
        let verdicts = Dictionary(uniqueKeysWithValues: result.stdout.split(separator: "\n").map {
            let parts = $0.split(separator: " ")
            return (String(parts[0]), String(parts[1]))
        })
        for (name, yaml) in cases {
            let loaderAccepts = (try? ConfigLoader.parse(yaml)) != nil
            #expect(verdicts["\(name).yaml"] == (loaderAccepts ? "valid" : "invalid"), "\(name): loader \(loaderAccepts)")
        }
    }
}
