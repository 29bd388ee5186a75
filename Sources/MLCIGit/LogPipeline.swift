#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The tree ids a history walk hands from the thread that walks commits to the thread that
/// reads their trees, in walk order, a batch at a time.
///
/// Thread-safe for one producer (``publish(_:)``, ``finish()``) and one consumer (``take()``):
/// the queue sits behind a pthread mutex, and the consumer sleeps on a condition variable
/// while it is empty.
final class LogPipeline: @unchecked Sendable {
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let ready = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // Guarded by `lock`.
    private var trees: [ObjectID] = []
    private var done = false

    init() {
        pthread_mutex_init(lock, nil)
        pthread_cond_init(ready, nil)
    }

    deinit {
        pthread_cond_destroy(ready)
        pthread_mutex_destroy(lock)
        ready.deallocate()
        lock.deallocate()
    }

    /// Queues the trees of the next walked commits.
    func publish(_ batch: [ObjectID]) {
        pthread_mutex_lock(lock)
        trees += batch
        pthread_cond_signal(ready)
        pthread_mutex_unlock(lock)
    }

    /// Marks the walk finished: ``take()`` returns `nil` once the queue is drained.
    func finish() {
        pthread_mutex_lock(lock)
        done = true
        pthread_cond_signal(ready)
        pthread_mutex_unlock(lock)
    }

    /// Every tree queued since the last call, in order, waiting while the queue is empty and
    /// the walk still runs; `nil` when the walk has finished and everything was taken.
    func take() -> [ObjectID]? {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        while trees.isEmpty && !done { pthread_cond_wait(ready, lock) }
        if trees.isEmpty { return nil }
        defer { trees.removeAll(keepingCapacity: true) }
        return trees
    }
}

/// A closure handed to another thread by ``Repository/history(from:hiding:paths:watching:limit:)``.
///
/// `@unchecked Sendable` because the compiler cannot see the discipline: the caller waits
/// until the closure has finished, and the two closures it runs share nothing but a
/// ``LogPipeline`` (each captures its own state, which the caller reads only after both end).
struct UnsafeTransfer: @unchecked Sendable {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}
