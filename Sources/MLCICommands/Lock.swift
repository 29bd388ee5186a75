import ArgumentParser
import MLCILineage
import MLCISupport

extension MLCICommand {
    struct Lock: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lock",  // named here: no reflection at start-up
            abstract: "Hash the declared data and model paths and write mlci.lock.",
            discussion: "Stage records in mlci.lock are kept. Nothing is written when a declared path is missing.")

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let workspace = try repository.workspace()
            let (lock, changed) = try workspace.writeLock()
            if output.json {
                return output.emit(["changed": .bool(changed), "data": .int(Int64(lock.data.count)), "models": .int(Int64(lock.models.count))])
            }
            let what = "\(lock.data.count) data path\(lock.data.count == 1 ? "" : "s"), \(lock.models.count) model\(lock.models.count == 1 ? "" : "s")"
            Terminal.out(changed ? "wrote mlci.lock (\(what))" : "mlci.lock is up to date (\(what))")
        }
    }
}
