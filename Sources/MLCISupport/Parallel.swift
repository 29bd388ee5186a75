import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs independent jobs on all cores with plain threads, blocking until all are done.
///
/// Used where the work is blocking file I/O plus hashing (which would starve Swift's
/// cooperative pool). Stateless; safe to call from any thread.
public enum Parallel {
    /// The number of cores this process may use.
    public static var coreCount: Int {
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// Calls `body(index, worker)` once for each index in `0..<count`, spread over up to
    /// `workers` threads; `worker` is the thread's number, so callers can keep per-thread
    /// state (a hashing buffer) in an array indexed by it. The indices are handed out one by
    /// one, so slow items do not hold a whole share back.
    public static func forEach(count: Int, workers: Int = coreCount, _ body: @escaping @Sendable (Int, Int) -> Void) {
        let threads = max(1, min(workers, count))
        if count == 0 { return }
        if threads == 1 {
            for index in 0..<count { body(index, 0) }
            return
        }
        let job = Job(count: count, body: body)
        var handles: [pthread_t] = []
        for worker in 1..<threads {
            let context = Unmanaged.passRetained(Context(job: job, worker: worker)).toOpaque()
            var thread = pthread_t()
            if pthread_create(&thread, nil, { raw in
                let context = Unmanaged<Context>.fromOpaque(raw!).takeRetainedValue()
                context.job.drain(worker: context.worker)
                return nil
            }, context) == 0 {
                handles.append(thread)
            } else {
                Unmanaged<Context>.fromOpaque(context).release()
            }
        }
        job.drain(worker: 0)
        for thread in handles { pthread_join(thread, nil) }
    }

    /// Runs `body` on a new detached thread and returns at once; nothing waits for it, and the
    /// process may exit before it finishes. For clean-up whose cost should not sit on the
    /// caller's path (closing directories the kernel frees slowly). Runs `body` inline when no
    /// thread can be started.
    public static func detached(_ body: @escaping @Sendable () -> Void) {
        final class Box: Sendable {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let started = pthread_create(&thread, &attributes, { raw in
            Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
            return nil
        }, context)
        if started != 0 { Unmanaged<Box>.fromOpaque(context).takeRetainedValue().body() }
    }

    private final class Job: Sendable {
        let count: Int
        let body: @Sendable (Int, Int) -> Void
        let next = Atomic<Int>(0)

        init(count: Int, body: @escaping @Sendable (Int, Int) -> Void) {
            self.count = count
            self.body = body
        }

        func drain(worker: Int) {
            while true {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if index >= count { return }
                body(index, worker)
            }
        }
    }

    private final class Context: Sendable {
        let job: Job
        let worker: Int
        init(job: Job, worker: Int) {
            self.job = job
            self.worker = worker
        }
    }
}

/// A fixed-size array of slots that parallel workers fill, each slot by exactly one worker.
///
/// `@unchecked Sendable` because the type cannot prove it: callers must write each index from
/// one thread only and read only after ``Parallel/forEach(count:workers:_:)`` returns (the
/// thread joins order those accesses).
public final class ResultSlots<Element>: @unchecked Sendable {
    private var storage: [Element?]

    public init(count: Int) { storage = Array(repeating: nil, count: count) }

    public subscript(index: Int) -> Element? {
        get { storage[index] }
        set { storage.withUnsafeMutableBufferPointer { $0[index] = newValue } }
    }

    public var values: [Element?] { storage }
}
