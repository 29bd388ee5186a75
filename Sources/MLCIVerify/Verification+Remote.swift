import MLCIChecks
import MLCIDVC
import MLCIGit
import MLCILineage
import MLCISupport

extension Verification {
    /// `provenance.data_pushed`: every cached DVC out the working tree records is in the default
    /// remote, asked by HEAD requests in parallel (no data is downloaded). A remote that cannot
    /// be reached gives no answer (exit 2), never a pass.
    func pushedFindings(location: SourceLocation?) throws -> [Finding] {
        let outputs = try workspace.recordedDVCOutputs(at: nil).filter(\.isCached)
        guard !outputs.isEmpty else { return [] }
        let config = try DVCConfig.load(root: workspace.root)
        let remote = try DVCRemote.named(nil, in: config)
        let missing = try DVCRemoteFetcher(remote: remote, cacheDirectory: config.cacheDirectory).missingOnRemote(outputs)
        var byPath: [String: [String]] = [:]
        for item in missing { byPath[item.output.path, default: []].append(item.key) }
        return outputs.sorted { $0.path < $1.path }.map { out in
            guard let keys = byPath[out.path]?.sorted() else {
                return Finding(checkID: "provenance.data_pushed", subject: out.path, outcome: .passed,
                               message: "\(out.path) (\(out.md5)) is in \(remote.display)", location: location, artifact: out.path)
            }
            let shown = keys.prefix(3).joined(separator: ", ") + (keys.count > 3 ? " and \(keys.count - 3) more" : "")
            return Finding(checkID: "provenance.data_pushed", subject: out.path, outcome: .failed,
                           message: "\(out.path) (recorded in \(out.recordedIn)) is not fully in \(remote.display): \(shown) missing; run `dvc push`",
                           observed: .array(keys.map(JSONValue.string)), location: location, artifact: out.path)
        }
    }
}

extension Verification {
    /// The DVC cache file holding `path` as the commit `at` recorded it (a file out, or a file
    /// inside a directory out), in DVC 3's layout or the legacy one. When the cache lacks it and
    /// a default remote is configured, only the objects needed (the `.dir` listing, then the one
    /// file) are fetched from the remote, md5-checked, into the cache.
    ///
    /// - Returns: nil when DVC does not record the path, or it is not cached and there is no remote.
    func dvcCachedCopy(of path: String, at commit: ObjectID) throws -> String? {
        let outputs = try workspace.recordedDVCOutputs(at: commit).filter(\.isCached)
        guard let out = outputs.first(where: { $0.path == path || path.hasPrefix($0.path + "/") }) else { return nil }
        let config = try DVCConfig.load(root: workspace.root)
        let cache = config.cacheDirectory
        let fetcher = try config.defaultRemote.map { _ throws(InputError) in
            DVCRemoteFetcher(remote: try DVCRemote.named(nil, in: config), cacheDirectory: cache)
        }
        func ensure(_ object: DVCRemoteFetcher.Object) throws(InputError) -> String? {
            let local = cache + "/" + object.key
            if FileSystem.exists(local) { return local }
            return try fetcher?.fetch(object)
        }
        let root = DVCRemoteFetcher.Object(md5: out.md5, legacy: out.isLegacy)
        guard out.isDirectory else { return out.path == path ? try ensure(root) : nil }
        guard try ensure(root) != nil else { return nil }
        let relative = String(path.dropFirst(out.path.count + 1))
        guard let member = try DVCRemoteFetcher.listing(root, cacheDirectory: cache).first(where: { $0.relpath == relative }) else {
            return nil
        }
        return try ensure(DVCRemoteFetcher.Object(md5: member.md5, legacy: out.isLegacy))
    }
}
