import MLCIGit
import MLCILineage
import MLCISupport

/// Human-readable text for the read commands. Every value from a file or commit goes
/// through ``printable(_:)``.
enum Render {
    static func lineage(_ record: LineageRecord, style: Style) -> String {
        var lines: [String] = []
        if let commit = record.commit {
            var head = style.yellow("commit \(commit.id.hex)")
            if let verdict = record.verdict { head += "  " + verdictText(verdict, style: style) }
            lines.append(head)
            lines.append("Author: \(printable(commit.authorName)) <\(printable(commit.authorEmail))>")
            lines.append("Date:   \(Dates.iso8601(commit.authorTime, offsetMinutes: commit.authorOffsetMinutes))")
            lines.append("")
            lines.append("    \(printable(commit.summary))")
        } else {
            lines.append(style.yellow("working tree"))
        }
        for (title, artifacts) in [("data", record.data), ("models", record.models)] {
            lines.append("")
            lines.append(style.bold(title))
            if artifacts.isEmpty { lines.append(style.dim("  (none declared)")); continue }
            let width = min(48, artifacts.map { printable($0.path).count + ($0.isDirectory ? 1 : 0) }.max() ?? 0)
            for artifact in artifacts {
                let name = printable(artifact.path) + (artifact.isDirectory ? "/" : "")
                let hash = artifact.hash.map { printable($0) } ?? style.red("missing")
                var detail = "\(artifact.algorithm)  \(hash)"
                var source = artifact.source.rawValue
                if let file = artifact.recordedIn { source += " \(printable(file))" }
                var extras = [source]
                if let files = artifact.fileCount, artifact.isDirectory { extras.append("\(files) file\(files == 1 ? "" : "s")") }
                if let size = artifact.size { extras.append(bytes(size)) }
                detail += style.dim("  (\(extras.joined(separator: ", ")))")
                lines.append("  " + name.padding(width) + "  " + detail)
            }
        }
        for (title, values) in [("params", record.params), ("metrics", record.metrics)] where !values.isEmpty {
            for file in values.keys.sorted() {
                lines.append("")
                lines.append(style.bold(title) + style.dim(" (\(printable(file)))"))
                let keys = values[file]!.keys.sorted()
                let width = min(40, keys.map(\.count).max() ?? 0)
                for key in keys { lines.append("  " + printable(key).padding(width) + "  " + value(values[file]![key]!)) }
            }
        }
        if let promotions = record.note?["promotions"]?.arrayValue, !promotions.isEmpty {
            lines.append("")
            lines.append(style.bold("promotions"))
            for promotion in promotions {
                let env = promotion["env"]?.stringValue ?? "?"
                let when = promotion["at"]?.stringValue ?? promotion["time"]?.stringValue ?? ""
                lines.append("  \(printable(env))  \(printable(when))")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func log(_ entries: [LogEntry], style: Style) -> String {
        let authorWidth = min(20, entries.map { printable($0.commit.authorName).count }.max() ?? 0)
        return entries.map { entry in
            let commit = entry.commit
            var line = style.yellow(commit.id.short()) + " " + Dates.day(commit.authorTime, offsetMinutes: commit.authorOffsetMinutes)
            line += " " + String(printable(commit.authorName).prefix(20)).padding(authorWidth)
            line += " " + (entry.verdict.map { verdictText($0, style: style) } ?? style.dim("-")).padding(8, visible: entry.verdict?.count ?? 1)
            line += " " + printable(commit.summary)
            if !entry.changed.isEmpty {
                let shown = entry.changed.prefix(3).map(printable).joined(separator: ", ")
                let more = entry.changed.count > 3 ? " +\(entry.changed.count - 3)" : ""
                line += style.cyan("  [\(shown)\(more)]")
            }
            return line
        }.joined(separator: "\n")
    }

    static func diff(_ diff: LineageDiff, oldName: String, newName: String, style: Style) -> String {
        if diff.isEmpty { return "no data, params or metrics differ between \(printable(oldName)) and \(printable(newName))" }
        var lines: [String] = []
        if !diff.artifacts.isEmpty {
            lines.append(style.bold("data and models"))
            for change in diff.artifacts {
                let mark = change.kind == .added ? style.green("A") : change.kind == .deleted ? style.red("D") : style.yellow("M")
                lines.append("  \(mark) \(printable(change.path))  \(short(change.old)) → \(short(change.new))")
            }
        }
        for (title, changes) in [("params", diff.params), ("metrics", diff.metrics)] where !changes.isEmpty {
            var files: [String] = []
            for change in changes where !files.contains(change.file) { files.append(change.file) }
            for file in files {
                if !lines.isEmpty { lines.append("") }
                lines.append(style.bold(title) + style.dim(" (\(printable(file)))"))
                for change in changes where change.file == file {
                    var line = "  \(printable(change.key)): \(change.old.map(value) ?? "-") → \(change.new.map(value) ?? "-")"
                    if let delta = change.delta { line += style.dim(" (\(delta >= 0 ? "+" : "")\(number(delta)))") }
                    lines.append(line)
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    static func status(_ report: StatusReport, style: Style) -> String {
        if report.entries.isEmpty { return "no data or model paths are declared or tracked by DVC" }
        if report.isClean {
            return "data and models match their records (\(report.entries.count) path\(report.entries.count == 1 ? "" : "s"))"
        }
        var lines: [String] = []
        for entry in report.entries where entry.state != .unchanged {
            let label: String
            switch entry.state {
            case .modified: label = style.yellow("modified:  ")
            case .missing: label = style.red("missing:   ")
            case .notLocked: label = style.cyan("not locked:")
            case .unchanged: label = ""
            }
            var line = "  \(label) \(printable(entry.path))"
            switch entry.state {
            case .modified: line += style.dim("  (\(printable(entry.recordedIn)): \(short(entry.recorded)), now \(short(entry.current)))")
            case .missing: line += style.dim("  (recorded in \(printable(entry.recordedIn)))")
            case .notLocked: line += style.dim("  (run 'mlci lock')")
            case .unchanged: break
            }
            lines.append(line)
        }
        let unchanged = report.entries.filter { $0.state == .unchanged }.count
        if unchanged > 0 { lines.append(style.dim("  \(unchanged) other path\(unchanged == 1 ? "" : "s") unchanged")) }
        return lines.joined(separator: "\n")
    }

    static func verdictText(_ verdict: String, style: Style) -> String {
        switch verdict {
        case "approved": style.green(verdict)
        case "rejected": style.red(verdict)
        default: printable(verdict)
        }
    }

    static func short(_ hash: String?) -> String {
        guard let hash else { return "-" }
        let suffix = hash.hasSuffix(".dir") ? ".dir" : ""
        return String(printable(hash).prefix(12)) + suffix
    }

    static func value(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return printable(s)
        case .double(let d): return number(d)
        default: return printable(JSONWriter(style: .compact).string(value))
        }
    }

    /// A number for people: integers without a fraction, others rounded to 10 decimals so
    /// that float noise (0.04999999999999993) reads as 0.05. JSON output keeps the raw value.
    static func number(_ d: Double) -> String {
        guard d.isFinite else { return "\(d)" }
        if d == d.rounded() && abs(d) < 1e15 { return String(Int64(d)) }
        let rounded = abs(d) < 1e5 ? (d * 1e10).rounded() / 1e10 : d
        return JSONWriter.number(rounded)
    }

    static func bytes(_ n: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(n)
        var unit = 0
        while value >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(n) B" : String(Int((value * 10).rounded())) .insertingDecimal() + " " + units[unit]
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }

    /// Pads to `width` counting only `visible` characters (the rest are colour codes).
    func padding(_ width: Int, visible: Int) -> String { visible >= width ? self : self + String(repeating: " ", count: width - visible) }

    /// "123" → "12.3".
    func insertingDecimal() -> String { count < 2 ? "0." + self : String(dropLast()) + "." + String(last!) }
}
