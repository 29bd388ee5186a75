import MLCIConfig
import MLCISupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a stage's process ended.
public enum StageOutcome: Sendable, Equatable {
    case succeeded
    case failed(exitCode: Int32)
    case killedBySignal(Int32)
    case timedOut(seconds: Double)
    case interrupted(signal: Int32)
    case couldNotStart(String)

    public var isSuccess: Bool { self == .succeeded }
}

/// The result of running one stage.
public struct StageResult: Sendable {
    public var name: String
    public var outcome: StageOutcome
    /// Wall-clock seconds.
    public var duration: Double
    /// Where the whole output was captured (repository-relative).
    public var logPath: String
    /// The last lines of output, for messages.
    public var tail: [String]
}

/// Runs stage commands as `/bin/sh -c` in their own process group, streaming their output
/// (prefixed with the stage name) and capturing it to a log file. On timeout, Ctrl-C or
/// SIGTERM the whole group is stopped: SIGTERM, then SIGKILL after a grace period.
///
/// Not thread-safe; one stage at a time.
public struct StageRunner {
    public var root: String
    public var environment: [String: String]
    /// Where output goes besides the log (stdout of mlci), or `nil` to keep quiet.
    public var echo: ((String) -> Void)?
    public var graceSeconds: Double = 3
    /// Called about five times a second while a stage runs, with its name and the seconds
    /// since it started (for an elapsed-time display on a terminal).
    public var onTick: ((String, Double) -> Void)?

    public init(root: String, environment: [String: String], echo: ((String) -> Void)?) {
        self.root = root
        self.environment = environment
        self.echo = echo
    }

    public func run(_ stage: Stage, extraEnvironment: [String: String]) -> StageResult {
        let logRelative = ".mlci/logs/\(Self.logName(stage.name)).log"
        let started = Self.now()
        var tail: [String] = []
        var outcome = StageOutcome.succeeded
        let logFD = openLog(root + "/" + logRelative)
        defer { if logFD >= 0 { close(logFD) } }
        for command in stage.commands {
            outcome = runCommand(command, stage: stage, extraEnvironment: extraEnvironment, logFD: logFD, tail: &tail,
                                 deadline: stage.timeout.map { started + $0 }, started: started)
            if outcome != .succeeded { break }
        }
        return StageResult(name: stage.name, outcome: outcome, duration: Self.now() - started, logPath: logRelative, tail: tail)
    }

    private func openLog(_ path: String) -> Int32 {
        try? FileSystem.makeDirectories(FileSystem.parent(of: path))
        return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    }

    private func runCommand(_ command: String, stage: Stage, extraEnvironment: [String: String], logFD: Int32,
                            tail: inout [String], deadline: Double?, started: Double) -> StageOutcome {
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else { return .couldNotStart("cannot create a pipe: \(String(cString: strerror(errno)))") }
        let readFD = pipeFDs[0]
        let writeFD = pipeFDs[1]
        defer { close(readFD) }

        var env = environment
        for (key, value) in extraEnvironment { env[key] = value }
        for (key, value) in stage.environment { env[key] = value }
        // `cd` to the root through positional parameters (no quoting of user text), then
        // exec the stage's own shell: same pid, still the group's leader.
        let directory = stage.workingDirectory.isEmpty ? root : root + "/" + stage.workingDirectory
        let argv: [String]
        if let shell = stage.shell, !shell.isEmpty {
            // `dvc repro`'s way: `$SHELL [flags] -c <line>` (bash gets --noprofile --norc).
            argv = ["/bin/sh", "-c", "cd -- \"$1\" || exit 127; shift; exec \"$@\"", "mlci-stage", directory] + shell + ["-c", command]
        } else {
            argv = ["/bin/sh", "-c", "cd -- \"$1\" || exit 127; exec /bin/sh -c \"$0\"", command, directory]
        }
        let envp = env.map { "\($0.key)=\($0.value)" }.sorted()

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeFD, 1)
        posix_spawn_file_actions_adddup2(&actions, writeFD, 2)
        posix_spawn_file_actions_addclose(&actions, readFD)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group (so the whole group can be stopped), default signal handling
        // and an empty signal mask (mlci's handlers must not leak into the stage).
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGPIPE)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var pid: pid_t = 0
        let spawned = withCStrings(argv) { cArgv in
            withCStrings(envp) { cEnv in posix_spawn(&pid, "/bin/sh", &actions, &attributes, cArgv, cEnv) }
        }
        close(writeFD)
        if spawned != 0 { return .couldNotStart("cannot start /bin/sh: \(String(cString: strerror(spawned)))") }

        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var stopReason: StageOutcome?
        var open = true
        while open {
            if let signal = Interrupts.received { stopReason = .interrupted(signal: signal); break }
            if let deadline, Self.now() >= deadline { stopReason = .timedOut(seconds: stage.timeout ?? 0); break }
            var poller = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
            let waitMs = deadline.map { max(0, min(200, Int32(($0 - Self.now()) * 1000) + 1)) } ?? 200
            let ready = poll(&poller, 1, waitMs)
            if ready < 0 { continue }  // EINTR: the loop checks the signal flag
            if ready == 0 { onTick?(stage.name, Self.now() - started); continue }
            let n = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress!, $0.count) }
            if n <= 0 { open = false; break }
            let chunk = Array(buffer[0..<n])
            if logFD >= 0 { _ = chunk.withUnsafeBytes { write(logFD, $0.baseAddress!, n) } }
            pending += chunk
            while let newline = pending.firstIndex(of: 0x0A) {
                emit(Array(pending[..<newline]), stage: stage.name, tail: &tail)
                pending.removeSubrange(...newline)
            }
        }
        if !pending.isEmpty { emit(pending, stage: stage.name, tail: &tail) }
        if let stopReason {
            stopGroup(pid)
            return stopReason
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // Whatever the stage left running in its group (background jobs) goes too.
        if kill(-pid, 0) == 0 { kill(-pid, SIGKILL) }
        let exited = status & 0x7f == 0
        if exited {
            let code = (status >> 8) & 0xff
            return code == 0 ? .succeeded : .failed(exitCode: code)
        }
        return .killedBySignal(status & 0x7f)
    }

    /// SIGTERM to the whole group, SIGKILL after the grace period; reaps the stage's shell.
    private func stopGroup(_ pid: pid_t) {
        kill(-pid, SIGTERM)
        let giveUp = Self.now() + graceSeconds
        var status: Int32 = 0
        while Self.now() < giveUp {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid && kill(-pid, 0) != 0 { return }
            if reaped == pid {
                // The shell is gone; wait for the rest of the group within the grace period.
                while Self.now() < giveUp, kill(-pid, 0) == 0 { usleep(20_000) }
                if kill(-pid, 0) == 0 { kill(-pid, SIGKILL) }
                return
            }
            usleep(20_000)
        }
        kill(-pid, SIGKILL)
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    private func emit(_ line: [UInt8], stage: String, tail: inout [String]) {
        var text = String(decoding: line, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        tail.append(text)
        if tail.count > 20 { tail.removeFirst(tail.count - 20) }
        echo?("[\(stage)] \(text)")
    }

    /// A stage name as a log file name: `/` and `:` (nested dvc.yaml addresses) become `_`.
    static func logName(_ name: String) -> String {
        String(name.map { $0 == "/" || $0 == ":" ? "_" : $0 })
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// Runs `body` with a NULL-terminated C array of the strings, freed afterwards.
func withCStrings<T>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> T) -> T {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}
