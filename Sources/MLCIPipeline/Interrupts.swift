import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The signal (SIGINT or SIGTERM) that asked mlci to stop, or 0. Written by the signal
/// handler (a lock-free atomic store is async-signal-safe), read by the runner's loop.
private let receivedSignal = Atomic<Int32>(0)

/// Catches Ctrl-C and SIGTERM while stages run, so the stage's process group can be stopped
/// and nothing from the interrupted stage recorded.
///
/// Process-wide; install once.
public enum Interrupts {
    public static func install() {
        // A parent may have started mlci with these signals blocked (some process launchers
        // do); unblock them, or Ctrl-C and SIGTERM would never reach the handler.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &unblock, nil)
        for signal in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { received in receivedSignal.store(received, ordering: .relaxed) }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0  // no SA_RESTART: a blocking poll() returns EINTR at once
            sigaction(signal, &action, nil)
        }
    }

    /// The signal received, or `nil`.
    public static var received: Int32? {
        let value = receivedSignal.load(ordering: .relaxed)
        return value == 0 ? nil : value
    }

    /// The signal's name for messages.
    public static func name(_ signal: Int32) -> String {
        switch signal {
        case SIGINT: "SIGINT (Ctrl-C)"
        case SIGTERM: "SIGTERM"
        case SIGKILL: "SIGKILL"
        default: "signal \(signal)"
        }
    }
}
