import Crypto
import MLCIHashing
import MLCISupport

#if canImport(Glibc)
import Glibc
#endif

/// Writes a ``DeployBundle`` into a folder: each file to a temporary name and renamed into
/// place, then `.mlci-emit.json` listing them; files a previous emit wrote there and this one
/// does not are removed (only those: the folder may hold other things).
public enum BundleWriter {
    public static let manifestName = ".mlci-emit.json"

    /// - Returns: the paths written, sorted.
    @discardableResult
    public static func write(_ bundle: DeployBundle, release: Release, to directory: String) throws(InputError) -> [String] {
        let previous = previousFiles(in: directory)
        try FileSystem.makeDirectories(directory)
        let paths = bundle.files.keys.sorted()
        for path in paths {
            let target = directory + "/" + path
            try FileSystem.makeDirectories(FileSystem.parent(of: target))
            try FileSystem.writeAtomically(target, bundle.files[path]!)
        }
        for stale in previous.subtracting(paths).sorted() where !stale.contains("..") && !stale.hasPrefix("/") {
            unlink(directory + "/" + stale)
            removeEmptyParents(of: stale, in: directory)
        }
        let manifest: JSONValue = .object([
            ("schema", "mlci.emit/1"),
            ("commit", .string(release.commit.id.hex)),
            ("image", .string(release.imageReference)),
            ("model", ["path": .string(release.spec.model), "digest": .string(release.modelDigest)]),
            ("data_digest", .string(release.dataDigest)),
            ("trust", release.trust.json),
            ("files", .object(paths.map { ($0, .string("sha256:" + Hex.string(SHA256.hash(data: bundle.files[$0]!)))) })),
        ])
        try FileSystem.writeAtomically(directory + "/" + manifestName, JSONWriter().string(manifest) + "\n")
        return paths
    }

    static func previousFiles(in directory: String) -> Set<String> {
        guard let bytes = try? FileSystem.read(directory + "/" + manifestName, limit: 4 << 20),
              let text = try? TextDecoding.utf8(bytes, file: manifestName),
              let manifest = try? JSONParser().parse(text) else { return [] }
        return Set(manifest["files"]?.objectValue?.map(\.0) ?? [])
    }

    static func removeEmptyParents(of path: String, in directory: String) {
        var parts = path.split(separator: "/").dropLast()
        while !parts.isEmpty {
            if rmdir(directory + "/" + parts.joined(separator: "/")) != 0 { return }
            parts = parts.dropLast()
        }
    }
}
