import ArgumentParser
import MLCIChecks
import MLCIConfig
import MLCIData
import MLCILineage
import MLCIModelScan
import MLCISupport

/// Where a file given to `mlci check` sits in the repository (its path relative to the root,
/// as mlci.yaml names it) and the workspace, when it is inside one.
struct RepositoryFile {
    let display: String
    let workspace: Workspace?

    init(_ file: String) {
        if let workspace = try? Workspace(discoveringFrom: FileSystem.currentDirectory),
           let absolute = FileSystem.realPath(file), let root = FileSystem.realPath(workspace.root), absolute.hasPrefix(root + "/") {
            display = String(absolute.dropFirst(root.count + 1))
            self.workspace = workspace
        } else {
            display = file
            workspace = nil
        }
    }
}

extension Render {
    /// One line per finding, marked passed, failed (error) or warning.
    static func findings(_ findings: [Finding], style: Style) -> String {
        findings.map { finding in
            let mark = finding.outcome == .passed ? style.green("✓") : (finding.severity == .error ? style.red("✗") : style.yellow("!"))
            return "  \(mark) \(finding.checkID)  \(printable(finding.message))"
        }.joined(separator: "\n")
    }
}

extension MLCICommand {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",  // named here: no reflection at start-up
            abstract: "Run one family of checks alone on given files.",
            subcommands: [Data.self, Drift.self, Fairness.self, Model.self])

        struct Drift: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "drift",  // named here: no reflection at start-up
                abstract: "Compare a dataset with a reference: drift per column and for the dataset.",
                discussion: """
                Per column, Evidently's default method (KS or chi-square or a two-proportion z-test up to 1,000 \
                reference rows; normed Wasserstein or Jensen–Shannon above), or the one given with --method \
                COLUMN=ks|psi|chisquare|z|wasserstein|jensenshannon. KS p-values are exact up to 10,000 rows \
                and asymptotic above, as scipy's ks_2samp with method 'auto'. The dataset drifts when the share \
                of drifted columns reaches --share-max. Exits 0 without dataset drift, 1 with it, 2 on bad input.
                """)

            @Option(help: "The reference data file (the target branch's data).") var reference: String
            @Option(help: "The current data file.") var current: String
            @Option(help: "Only these columns (comma-separated).") var columns: String?
            @Option(help: "COLUMN=METHOD (repeatable).") var method: [String] = []
            @Option(help: "Methods for every column, comma-separated (e.g. ks,psi), instead of Evidently's default.") var methods: String?
            @Option(name: .customLong("share-max"), help: "Dataset drift at this share of drifted columns (default 0.5).") var shareMax: Double?
            @Option(name: .customLong("p-value-min"), help: "p-value threshold (default 0.05).") var pValueMin: Double?
            @Option(name: .customLong("psi-max"), help: "PSI threshold (default 0.1).") var psiMax: Double?

            @OptionGroup var output: OutputOptions

            func run() throws {
                var spec: [(String, JSONValue)] = []
                if let columns { spec.append(("columns", .array(columns.split(separator: ",").map { .string(String($0)) }))) }
                var methods: [(String, JSONValue)] = []
                for entry in method {
                    let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
                    guard parts.count == 2, DriftCheck.methods.contains(parts[1]) else {
                        throw ValidationError("--method takes COLUMN=METHOD with METHOD one of \(DriftCheck.methods.sorted().joined(separator: ", "))")
                    }
                    methods.append((parts[0], .string(parts[1])))
                }
                if !methods.isEmpty { spec.append(("methods", .object(methods))) }
                if let all = self.methods {
                    let list = all.split(separator: ",").map(String.init)
                    for name in list where !DriftCheck.methods.contains(name) {
                        throw ValidationError("--methods: '\(name)' is not one of \(DriftCheck.methods.sorted().joined(separator: ", "))")
                    }
                    spec.append(("all_methods", .array(list.map(JSONValue.string))))
                }
                if let shareMax { spec.append(("share_max", .double(shareMax))) }
                if let pValueMin { spec.append(("p_value_min", .double(pValueMin))) }
                if let psiMax { spec.append(("psi_max", .double(psiMax))) }
                let wanted = columns.map { $0.split(separator: ",").map(String.init) }
                let settings = JSONValue.object(spec)
                let result: (columns: [ColumnDrift], share: Double, datasetDrift: Bool)
                // All-numeric CSVs are read straight into numbers, both files at once; anything
                // else goes through the general table reader.
                var fast = try Self.readNumeric([reference, current], columns: wanted)
                if let ref = fast[0], let cur = fast[1] {
                    fast.removeAll()  // the check takes sole ownership of the numbers
                    result = try DriftCheck.evaluate(reference: consume ref, current: consume cur, spec: settings)
                } else {
                    let referenceTable = try TableReader.read(path: reference, display: reference)
                    let currentTable = try TableReader.read(path: current, display: current)
                    result = try DriftCheck.evaluate(reference: referenceTable, current: currentTable, spec: settings)
                }
                if output.json {
                    output.emit(["dataset_drift": .bool(result.datasetDrift), "share_drifted": .double(result.share),
                                 "columns": .array(result.columns.map(\.json))])
                } else {
                    let format = MetricsGate.format
                    for column in result.columns {
                        let score = column.pValue.map { "p = \($0 < 1e-4 && $0 > 0 ? JSONWriter.number($0) : format($0))" } ?? "\(column.method) = \(format(column.statistic))"
                        let mark = column.drifted ? output.style.red("drift") : output.style.green("ok")
                        Terminal.out("  \(printable(column.column).padding(20))  \(column.method.padding(13))  \(score)  (threshold \(format(column.threshold)))  \(mark)")
                    }
                    Terminal.out((result.datasetDrift ? output.style.red("dataset drift") : output.style.green("no dataset drift"))
                                 + ": \(format(result.share * 100))% of \(result.columns.count) columns drifted")
                }
                if result.datasetDrift { throw ExitCode(1) }
            }

            /// Both files read in parallel as numbers; `nil` entries need the general reader.
            static func readNumeric(_ paths: [String], columns: [String]?) throws -> [NumericColumns.Result?] {
                guard paths.allSatisfy({ TableFormat.guess($0) == .csv }) else { return paths.map { _ in nil } }
                let slots = ResultSlots<Result<NumericColumns.Result?, InputError>>(count: paths.count)
                Parallel.forEach(count: paths.count) { index, _ in
                    do {
                        slots[index] = .success(try NumericColumns.read(path: paths[index], display: paths[index], columns: columns))
                    } catch let error as InputError {
                        slots[index] = .failure(error)
                    } catch {
                        slots[index] = .failure(InputError("\(paths[index]): \(error)"))
                    }
                }
                return try slots.values.map { try $0!.get() }
            }
        }

        struct Fairness: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "fairness",  // named here: no reflection at start-up
                abstract: "Check group fairness of a predictions file (gate.fairness, or the columns given here).",
                discussion: """
                Per group: selection rate, TPR and FPR (Fairlearn's definitions); disparate impact with the four-fifths rule (below 0.8 fails, exactly 0.8 passes), demographic parity difference and equalized odds difference against the bounds in mlci.yaml or given here. A group with no positive labels is reported. Exits 0 when the bounds hold, 1 when one fails, 2 on bad input.
                """)

            @Argument(help: "The predictions file (CSV, TSV, JSON Lines).")
            var file: String

            @Option(help: "The group column.") var group: String?
            @Option(help: "The true label column.") var label: String?
            @Option(help: "The predicted label column.") var prediction: String?
            @Option(help: "A sample weight column.") var weight: String?
            @Option(help: "The positive label (default 1).") var positive: String?
            @Option(name: .customLong("disparate-impact-min"), help: "Fail below this disparate impact (0.8 = four-fifths rule).") var disparateImpactMin: Double?
            @Option(name: .customLong("parity-difference-max"), help: "Fail above this demographic parity difference.") var parityDifferenceMax: Double?
            @Option(name: .customLong("equalized-odds-max"), help: "Fail above this equalized odds difference.") var equalizedOddsMax: Double?

            @OptionGroup var output: OutputOptions

            func run() throws {
                let located = RepositoryFile(file)
                let display = located.display
                var spec: JSONValue = .object([])
                var location: SourceLocation? = nil
                if let section = located.workspace?.config.gate.fairness, section.value["predictions"]?.stringValue == display {
                    spec = section.value
                    location = section.location
                }
                guard case .object(var members) = spec else { return }
                func set(_ key: String, _ value: JSONValue?) {
                    guard let value else { return }
                    members.removeAll { $0.0 == key }
                    members.append((key, value))
                }
                set("group", group.map(JSONValue.string))
                set("label", label.map(JSONValue.string))
                set("prediction", prediction.map(JSONValue.string))
                set("weight", weight.map(JSONValue.string))
                set("positive", positive.map(JSONValue.string))
                set("disparate_impact_min", disparateImpactMin.map(JSONValue.double))
                set("parity_difference_max", parityDifferenceMax.map(JSONValue.double))
                set("equalized_odds_max", equalizedOddsMax.map(JSONValue.double))
                spec = .object(members)
                for key in ["group", "label", "prediction"] where spec[key] == nil {
                    throw ValidationError("give --\(key) (or configure gate.fairness for \(display) in mlci.yaml)")
                }
                let table = try TableReader.read(path: file, display: display)
                let (report, _) = try FairnessGate.report(table, spec: spec)
                let findings = FairnessGate.findings(report, spec: spec, file: display, location: location)
                if output.json {
                    var document = FairnessGate.json(report)
                    if case .object(var inner) = document { inner.append(("checks", .array(findings.map(\.json)))); document = .object(inner) }
                    output.emit(document)
                } else {
                    let format = MetricsGate.format
                    Terminal.out("\(printable(display)): \(report.groups.count) groups")
                    for name in report.groups {
                        let rates = report.byGroup[name]!
                        Terminal.out("  \(printable(name))  selection rate \(format(rates.selectionRate))  TPR \(rates.hasPositives ? format(rates.tpr) : "undefined")  FPR \(rates.hasNegatives ? format(rates.fpr) : "undefined")  n \(format(rates.count))")
                    }
                    if !findings.isEmpty { Terminal.out(Render.findings(findings, style: output.style)) }
                }
                if findings.contains(where: \.rejects) { throw ExitCode(1) }
            }
        }

        struct Data: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "data",  // named here: no reflection at start-up
                abstract: "Check a data file (CSV, TSV, JSON Lines) against its expectations in mlci.yaml (gate.data).",
                discussion: """
                Without expectations for the file, reads it and prints its columns and their inferred types. Exits 0 when every expectation holds, 1 when one fails, 2 when the file cannot be read as a table (ragged rows, a declared column missing, text in a numeric column, an empty file).
                """)

            @Argument(help: "The data file.")
            var file: String

            @Option(help: "csv, tsv, jsonl or parquet (default: Parquet by content, otherwise from the file name).")
            var format: String?

            @Flag(help: "Print every cell as mlci reads it (JSON: each column's pandas dtype and values) and stop.")
            var dump = false

            @Flag(name: .customLong("dump-summary"), help: "Print count, missing, sum, min and max of each numeric column (read as numbers) and stop.")
            var dumpSummary = false

            @OptionGroup var output: OutputOptions

            func run() throws {
                let tableFormat: TableFormat? = try format.map { name in
                    guard let parsed = TableFormat(rawValue: name) else { throw ValidationError("--format must be csv, tsv, jsonl or parquet") }
                    return parsed
                }
                if dumpSummary {
                    guard let numbers = try NumericColumns.read(path: file, display: file) else {
                        throw InputError("\(file) has columns that are not numeric; --dump-summary reads numeric tables only")
                    }
                    output.emit(["file": .string(file), "rows": .int(Int64(numbers.rows)), "columns": .array(zip(numbers.names, numbers.values).map { name, values in
                        ["name": .string(name), "count": .int(Int64(values.count)), "sum": .double(values.reduce(0, +)),
                         "min": values.min().map(JSONValue.double) ?? .null, "max": values.max().map(JSONValue.double) ?? .null]
                    })])
                    return
                }
                if dump {
                    let table = try TableReader.read(path: file, display: file, format: tableFormat)
                    output.emit(["file": .string(file), "rows": .int(Int64(table.rowCount)), "columns": .array(table.columns.indices.map { index in
                        ["name": .string(table.columns[index]), "dtype": .string(table.dtype(index)),
                         "values": .array(table.cells[index].map { $0.map(JSONValue.string) ?? .null })]
                    })])
                    return
                }
                // The expectations: gate.data of the repository's mlci.yaml, keyed by the file's
                // path relative to the repository root.
                let located = RepositoryFile(file)
                let display = located.display
                var spec: Located<JSONValue>? = nil
                if let section = located.workspace?.config.gate.data, let entry = section.value[display] {
                    spec = Located(entry, at: section.location)
                }
                let table = try TableReader.read(path: file, display: display, format: tableFormat)
                let findings = try spec.map { try DataGate.evaluate(table, spec: $0.value, location: $0.location) } ?? []
                if output.json {
                    output.emit(["file": .string(display), "rows": .int(Int64(table.rowCount)),
                                 "columns": .array(table.columns.enumerated().map { ["name": .string($1), "type": .string(table.dtype($0))] }),
                                 "checks": .array(findings.map(\.json))])
                } else {
                    Terminal.out("\(printable(display)): \(table.rowCount) rows, \(table.columns.count) columns")
                    if spec == nil {
                        for (index, name) in table.columns.enumerated() {
                            Terminal.out("  \(printable(name)): \(table.dtype(index))")
                        }
                        Terminal.out(output.style.dim("no expectations for \(printable(display)) in mlci.yaml (gate.data)"))
                    }
                    if !findings.isEmpty { Terminal.out(Render.findings(findings, style: output.style)) }
                }
                if findings.contains(where: \.rejects) { throw ExitCode(1) }
            }
        }

        struct Model: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "model",  // named here: no reflection at start-up
                abstract: "Scan model files for code that would run when they are loaded (never unpickling them).",
                discussion: """
                Reads every pickle in a file as CPython's unpickler does (protocols 0–5, _compat_pickle names, \
                stack and memo emulated), joblib files with their arrays and zlib/gzip/bz2/xz/lzma compression, \
                .gz/.bz2/.xz wrappers, zips (PyTorch, .npz, .keras) as Python's zipfile does, numpy object arrays \
                and Keras configs; validates safetensors and ONNX headers. Fails closed: a global that is not \
                exactly on the allowlist of ML reconstructors, a call mlci cannot name, a Lambda or custom Keras \
                layer, or anything mlci cannot read completely (truncated, unknown format, HDF5) makes the file \
                unsafe. Exits 0 when every file is safe, 1 when one is not, 2 when a file cannot be opened. \
                In `mlci verify`, `gate.model.waive` lets a named file through with a reason.
                """)

            @Argument(help: "Model files.")
            var files: [String]

            @Option(name: .customLong("max-size-mb"), help: "Fail files larger than this many megabytes.")
            var maxSizeMB: Double?

            @Option(help: "Also allow this exact module.callable (repeatable; never a prefix).")
            var allow: [String] = []

            @Option(help: "Also deny this module.callable or module prefix (repeatable).")
            var deny: [String] = []

            @Flag(help: .hidden)
            var strict = false

            @OptionGroup var output: OutputOptions

            func validate() throws {
                if files.isEmpty { throw ValidationError("name at least one model file") }
            }

            func run() throws {
                let scanner = ModelScanner(policy: GlobalPolicy.standard.adding(deny: deny, allow: allow),
                                           maximumBytes: maxSizeMB.map { Int($0 * 1_000_000) })
                let results = try files.map { file throws(InputError) in try scanner.scan(path: file) }
                let failed = results.contains { !$0.isSafe }
                if output.json {
                    output.emit(.array(results.map(ModelGate.json)))
                } else {
                    let style = output.style
                    for result in results {
                        let mark = result.isSafe ? style.green("safe") : style.red("UNSAFE")
                        Terminal.out("\(printable(result.path)): \(mark) (\(result.format), \(result.scanned.count) part\(result.scanned.count == 1 ? "" : "s") scanned)")
                        for finding in result.findings {
                            let label = style.red("error")
                            Terminal.out("  \(label): \(printable(finding.message))")
                        }
                    }
                }
                if failed { throw ExitCode(1) }
            }
        }
    }
}
