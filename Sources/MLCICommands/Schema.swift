import ArgumentParser
import MLCIConfig
import MLCISupport

extension MLCICommand {
    struct Schema: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schema",  // named here: no reflection at start-up
            abstract: "Print the JSON Schema of mlci.yaml (for editors; schemas/mlci.schema.json).")

        func run() throws {
            let schema = ConfigSchema.root.jsonSchema(
                id: "https://github.com/mlci/mlci/schemas/mlci.schema.json", title: "mlci.yaml (version 1)")
            Terminal.out(JSONWriter().string(schema))
        }
    }
}
