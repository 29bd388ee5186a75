import MLCISupport

/// The checks DVC makes on the whole stage graph before anything runs: one out per path
/// (`OutputDuplicationError`), no out inside another (`OverlappingOutputPathsError`), no cycle
/// (`CyclicGraphError`).
///
/// Stateless; safe from any thread.
enum DVCGraphCheck {
    static func check(_ pipeline: DVCPipeline) throws(InputError) {
        let stages = pipeline.stages
        var owner: [String: Int] = [:]
        for (index, stage) in stages.enumerated() {
            for out in stage.outs {
                if let other = owner[out.path.repositoryPath] {
                    let first = stages[other]
                    throw InputError("the out '\(out.path.repositoryPath)' is claimed by stage '\(first.address)' and by stage '\(stage.address)'",
                                     at: stage.location, hint: "an output path belongs to one stage; remove it from one of them")
                }
                owner[out.path.repositoryPath] = index
            }
        }
        // Overlap: an out inside another out's folder.
        for (path, index) in owner {
            var parent = Substring(path)
            while let slash = parent.lastIndex(of: "/") {
                parent = parent[..<slash]
                if let other = owner[String(parent)] {
                    let a = stages[other], b = stages[index]
                    throw InputError("the out '\(path)' of stage '\(b.address)' lies inside the out '\(parent)' of stage '\(a.address)'",
                                     at: b.location, hint: "outs may not overlap; write into a separate folder")
                }
            }
        }
        // Edges: a stage depends on the producer of a dep path, of a folder holding it, or of
        // a file inside it.
        let sortedOuts = owner.keys.sorted()
        var edges: [[Int]] = Array(repeating: [], count: stages.count)
        for (index, stage) in stages.enumerated() {
            for dep in stage.deps {
                let path = dep.repositoryPath
                var producers: [Int] = []
                if let exact = owner[path] { producers.append(exact) }
                var parent = Substring(path)
                while let slash = parent.lastIndex(of: "/") {
                    parent = parent[..<slash]
                    if let holder = owner[String(parent)] { producers.append(holder) }
                }
                // Outs inside the dep folder: a binary search for the `path/` prefix.
                let prefix = path + "/"
                var low = 0, high = sortedOuts.count
                while low < high {
                    let mid = (low + high) / 2
                    if sortedOuts[mid] < prefix { low = mid + 1 } else { high = mid }
                }
                while low < sortedOuts.count, sortedOuts[low].hasPrefix(prefix) {
                    producers.append(owner[sortedOuts[low]]!)
                    low += 1
                }
                edges[index] += producers
            }
        }
        // Cycle detection (a stage reading its own out is a cycle too, as in DVC).
        var state = [UInt8](repeating: 0, count: stages.count)  // 0 new, 1 on stack, 2 done
        for start in stages.indices where state[start] == 0 {
            var stack: [(Int, Int)] = [(start, 0)]
            state[start] = 1
            while let (node, next) = stack.last {
                if next < edges[node].count {
                    stack[stack.count - 1].1 += 1
                    let target = edges[node][next]
                    if state[target] == 1 {
                        let cycle = stack.map { stages[$0.0].address }.drop { $0 != stages[target].address } + [stages[target].address]
                        throw InputError("the stages form a cycle: \(cycle.joined(separator: " -> "))", at: stages[target].location,
                                         hint: "a stage cannot depend, directly or through others, on its own outs")
                    }
                    if state[target] == 0 {
                        state[target] = 1
                        stack.append((target, 0))
                    }
                } else {
                    state[node] = 2
                    stack.removeLast()
                }
            }
        }
    }
}
