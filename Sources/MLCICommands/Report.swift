import ArgumentParser
import MLCILineage
import MLCIReport
import MLCISupport

extension MLCICommand {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",  // named here: no reflection at start-up
            abstract: "Render report files from a report.json again, or post its summary.",
            subcommands: [Render.self, Post.self], defaultSubcommand: Render.self)
    }
}

extension MLCICommand.Report {
    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "render",  // named here: no reflection at start-up
            abstract: "Render report files again from a report.json (verify and ci write them all).",
            discussion: "Formats: json, junit, sarif, gitlab (code quality, metrics, dotenv), markdown, html. Files land in the reports folder (reports.dir in mlci.yaml) or --out.")

        @Option(name: .customLong("format"), help: "A format to render (repeatable); default: those in mlci.yaml.")
        var formats: [String] = []

        @Option(help: "The report.json to render (default: the reports folder's).")
        var from: String?

        @Option(help: "Write into this folder instead of the reports folder.")
        var out: String?

        func validate() throws {
            for format in formats where ReportWriter.files(for: format).isEmpty {
                throw ValidationError("unknown format '\(format)'; use json, junit, sarif, gitlab, markdown or html")
            }
        }

        func run() throws {
            let workspace = try? Workspace(discoveringFrom: FileSystem.currentDirectory)
            let reports = workspace?.config.reports
            let folder = out ?? reportsFolder(workspace)
            let report = try loadReport(from ?? folder + "/report.json")
            let written = try ReportWriter.write(report, to: folder, displayDirectory: out ?? reports?.directory ?? folder,
                                                 formats: formats.isEmpty ? (reports?.formats ?? ["json"]) : formats,
                                                 toolVersion: Version.current)
            for path in written { Terminal.out("wrote \(printable(path))") }
        }
    }

    struct Post: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "post",  // named here: no reflection at start-up
            abstract: "Post a report's summary as the sticky PR/MR comment and set the mlci commit status.",
            discussion: "Reads GitHub Actions' or GitLab CI's variables; the token from MLCI_GITHUB_TOKEN or GITHUB_TOKEN, MLCI_GITLAB_TOKEN or GITLAB_TOKEN. Exits 2 when posting fails.")

        @Option(help: "The report.json to post (default: the reports folder's).")
        var from: String?

        func run() throws {
            let workspace = try? Workspace(discoveringFrom: FileSystem.currentDirectory)
            let folder = reportsFolder(workspace)
            let report = try loadReport(from ?? folder + "/report.json")
            do {
                try Posting.post(report)
            } catch {
                throw InputError("could not post the report: \(error.message)")
            }
        }
    }
}

/// The reports folder of `workspace` (reports.dir in its mlci.yaml), or the default outside one.
private func reportsFolder(_ workspace: Workspace?) -> String {
    workspace.map { $0.root + "/" + $0.config.reports.directory } ?? ".mlci/reports"
}

/// Reads and checks a report.json written by verify or ci.
private func loadReport(_ source: String) throws -> JSONValue {
    guard FileSystem.exists(source) else {
        throw InputError("\(source): no such file", hint: "run 'mlci verify' first, or give --from")
    }
    let bytes = try FileSystem.read(source, limit: 256 << 20, display: source)
    let report: JSONValue
    do {
        report = try JSONParser().parse(bytes)
    } catch {
        throw InputError(error.message, at: SourceLocation(file: source, line: error.line, column: error.column))
    }
    guard report["schema"] == "mlci.verdict/1" else {
        throw InputError("\(source) is not an mlci report (no \"schema\": \"mlci.verdict/1\")", at: SourceLocation(file: source, line: 1))
    }
    return report
}
