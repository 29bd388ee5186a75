import ArgumentParser
import MLCIChecks
import MLCIModelScan
import MLCISupport

extension MLCICommand {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one family of checks alone on given files.",
            subcommands: [Model.self])

        struct Model: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Scan model files for code that would run when they are loaded (never unpickling them).",
                discussion: """
                Walks every pickle opcode (protocols 0–5) in pickles, joblib files, PyTorch zip and legacy files \
                and numpy object arrays; checks safetensors and ONNX headers. A callable on the denylist \
                (os, subprocess, builtins.eval, runpy, socket, importlib, operator.methodcaller, …) fails; one on \
                neither list is a warning. Exits 0 when no unsafe callable is found, 1 when one is, 2 on bad input.
                """)

            @Argument(help: "Model files.")
            var files: [String]

            @Option(name: .customLong("max-size-mb"), help: "Fail files larger than this many megabytes.")
            var maxSizeMB: Double?

            @Option(help: "Also allow this module.callable or module prefix (repeatable).")
            var allow: [String] = []

            @Option(help: "Also deny this module.callable or module prefix (repeatable).")
            var deny: [String] = []

            @Flag(help: "Fail on warnings too (unknown callables, unparsable parts).")
            var strict = false

            @OptionGroup var output: OutputOptions

            func validate() throws {
                if files.isEmpty { throw ValidationError("name at least one model file") }
            }

            func run() throws {
                let scanner = ModelScanner(policy: GlobalPolicy.standard.adding(deny: deny, allow: allow),
                                           maximumBytes: maxSizeMB.map { Int($0 * 1_000_000) })
                let results = try files.map { file throws(InputError) in try scanner.scan(path: file) }
                let failed = results.contains { result in
                    result.findings.contains { $0.severity == .error || (strict && $0.severity == .warning) }
                }
                if output.json {
                    output.emit(.array(results.map(ModelGate.json)))
                } else {
                    let style = output.style
                    for result in results {
                        let mark = result.isSafe ? style.green("safe") : style.red("UNSAFE")
                        Terminal.out("\(printable(result.path)): \(mark) (\(result.format), \(result.scanned.count) part\(result.scanned.count == 1 ? "" : "s") scanned)")
                        for finding in result.findings {
                            let label = finding.severity == .error ? style.red("error") : style.yellow("warning")
                            Terminal.out("  \(label): \(printable(finding.message))")
                        }
                    }
                }
                if failed { throw ExitCode(1) }
            }
        }
    }
}
