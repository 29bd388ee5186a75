/// Normalises and checks paths that users write relative to the repository root.
///
/// Stateless; safe from any thread.
public enum RepositoryPath {
    /// `path` in normal form (`/`-separated, no `.` components, no duplicate or trailing
    /// slashes), or an error when it is absolute or climbs out of the repository with `..`.
    public static func normalize(_ path: String) -> Result<String, PathProblem> {
        if path.isEmpty { return .failure(.empty) }
        if path.hasPrefix("/") || path.hasPrefix("~") { return .failure(.absolute) }
        if path.utf8.contains(0) { return .failure(.invalidCharacter) }
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if parts.isEmpty { return .failure(.escapes) }
                parts.removeLast()
                continue
            }
            parts.append(part)
        }
        if parts.isEmpty { return .success(".") }
        return .success(parts.joined(separator: "/"))
    }

    /// Why a path was refused.
    public enum PathProblem: Error, Sendable, Equatable, CustomStringConvertible {
        case empty, absolute, escapes, invalidCharacter, symlinkEscapes(String)

        public var description: String {
            switch self {
            case .empty: "the path is empty"
            case .absolute: "the path is absolute; write it relative to the repository root"
            case .escapes: "the path leads out of the repository ('..')"
            case .invalidCharacter: "the path contains a NUL character"
            case .symlinkEscapes(let target): "the path goes through a symbolic link that leads out of the repository (to \(target))"
            }
        }
    }

    /// Checks that `relative` (already normalised) does not leave `root` through a symlink:
    /// the deepest existing prefix of the path, resolved, must still lie inside `root`.
    public static func checkInside(root: String, _ relative: String) -> PathProblem? {
        guard let realRoot = FileSystem.realPath(root) else { return nil }
        var candidate = relative == "." ? root : root + "/" + relative
        while !FileSystem.exists(candidate) {
            let parent = FileSystem.parent(of: candidate)
            if parent == candidate || parent.count < root.count { return nil }
            candidate = parent
        }
        guard let resolved = FileSystem.realPath(candidate) else {
            // A dangling symlink: look at where it points.
            return .symlinkEscapes("a target that does not exist")
        }
        if resolved == realRoot || resolved.hasPrefix(realRoot + "/") { return nil }
        return .symlinkEscapes(resolved)
    }
}
