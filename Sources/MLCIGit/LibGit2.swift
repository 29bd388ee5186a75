import CLibGit2

/// Process-wide libgit2 initialisation.
///
/// A global `let` initialiser runs once, lazily and thread-safely, the first time a
/// repository is opened. Commands that never touch git (`--version`, `--help`) therefore
/// never pay for `git_libgit2_init`, which parses the system CA bundle on Debian (~8 ms).
/// libgit2 is never shut down: the process owns it until exit.
private let libgit2Initialisation: Int32 = {
    let result = git_libgit2_init()
    // mlci reads repositories it did not write; checking every object's hash on read
    // costs time and protects against nothing the repository's own tools would not catch.
    _ = clibgit2_enable_strict_hash_verification(0)
    // mlci reads each object once per command (history walks keep what they need), so
    // libgit2's shared object cache only costs locking and copying.
    _ = clibgit2_enable_caching(0)
    return result
}()

/// Entry points for process-wide libgit2 settings.
///
/// Thread-safe: every member may be called from any thread.
public enum LibGit2 {
    /// Makes sure libgit2 is initialised. Cheap after the first call.
    @inline(__always) static func bootstrap() { _ = libgit2Initialisation }

    /// The version of the libgit2 library loaded at run time, as `major.minor.revision`.
    public static var version: String {
        var major: Int32 = 0
        var minor: Int32 = 0
        var revision: Int32 = 0
        git_libgit2_version(&major, &minor, &revision)
        return "\(major).\(minor).\(revision)"
    }

    /// Stops libgit2 from reading global, XDG and system git configuration.
    ///
    /// Call it once, before any repository is opened (libgit2 snapshots configuration when a
    /// repository opens). Tests use it to stay hermetic.
    public static func isolateFromUserConfiguration() {
        bootstrap()
        for level in [GIT_CONFIG_LEVEL_GLOBAL, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_SYSTEM,
                      GIT_CONFIG_LEVEL_PROGRAMDATA] {
            _ = clibgit2_set_config_search_path(level, "")
        }
    }
}
