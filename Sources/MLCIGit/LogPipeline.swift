import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The tree ids a history walk hands from the thread that walks commits to the thread that
/// reads their trees, in walk order.
///
/// Thread-safe for one producer (``push(_:)``, ``finish()``) and one consumer (``take()``).
final class LogPipeline: Sendable {
    private struct State {
        var trees: [ObjectID] = []
        var taken = 0
        var done = false
    }

    private let state = Mutex(State())

    /// Queues the tree of the next walked commit.
    func push(_ tree: ObjectID) {
        state.withLock { $0.trees.append(tree) }
    }

    /// Marks the walk finished: ``take()`` returns `nil` once the queue is drained.
    func finish() {
        state.withLock { $0.done = true }
    }

    /// Every tree queued since the last call, in order, waiting while the queue is empty and
    /// the walk still runs; `nil` when the walk has finished and everything was taken.
    func take() -> [ObjectID]? {
        var idle = 0
        while true {
            let (batch, done) = state.withLock { state -> ([ObjectID], Bool) in
                guard state.taken < state.trees.count else { return ([], state.done) }
                let batch = Array(state.trees[state.taken...])
                state.taken = state.trees.count
                return (batch, false)
            }
            if !batch.isEmpty { return batch }
            if done { return nil }
            // The walker is a commit read away: yield first, then sleep briefly.
            idle += 1
            if idle < 64 { sched_yield() } else { usleep(50) }
        }
    }
}

/// A closure run on another thread by ``runTogether(_:_:)``.
///
/// `@unchecked Sendable` because the compiler cannot see the discipline: the caller waits
/// until the closure has finished, and the two closures it runs share nothing but a
/// ``LogPipeline`` (each captures its own state, which the caller reads only after both end).
struct UnsafeTransfer: @unchecked Sendable {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

/// Runs `first` on this thread and `second` on a new one, returning when both are done.
/// When no thread can be started, runs `second` after `first` on this thread.
func runTogether(_ first: UnsafeTransfer, _ second: UnsafeTransfer) {
    final class Box: @unchecked Sendable {
        let work: UnsafeTransfer
        init(_ work: UnsafeTransfer) { self.work = work }
    }
    let context = Unmanaged.passRetained(Box(second)).toOpaque()
    #if canImport(Glibc)
    var thread = pthread_t()
    #else
    var thread: pthread_t?
    #endif
    let started = pthread_create(&thread, nil, { raw in
        Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().work.body()
        return nil
    }, context)
    first.body()
    if started == 0 {
        #if canImport(Glibc)
        pthread_join(thread, nil)
        #else
        pthread_join(thread!, nil)
        #endif
    } else {
        Unmanaged<Box>.fromOpaque(context).takeRetainedValue().work.body()
    }
}
