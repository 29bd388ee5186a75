import Foundation
import MLCISupport
import MLCITestSupport
import Testing

/// mlci's dvc.yaml front end against DVC 3 itself: the stages mlci expands (names, order,
/// resolved cmd, deps, outs, params, flags) are the stages DVC's own parser builds, on corpora
/// generated at test time.
@Suite(.serialized) struct DVCPipelineTests {
    var dvc: String { PeerTools.dvc }

    var python: String { PeerTools.python }

    /// A git repository with `dvc init` done; with `like`, its `.dvc` folder is copied from
    /// there (three dvc calls saved per repository).
    func dvcRepository(like template: GitSandbox? = nil) throws -> GitSandbox {
        let sandbox = try GitSandbox()
        if let template {
            try FileManager.default.copyItem(atPath: template.root + "/.dvc", toPath: sandbox.root + "/.dvc")
            try FileManager.default.copyItem(atPath: template.root + "/.dvcignore", toPath: sandbox.root + "/.dvcignore")
            return sandbox
        }
        for arguments in [["init", "-q"], ["config", "--local", "core.site_cache_dir", sandbox.base + "/dvc-site-cache"],
                          ["config", "--local", "core.analytics", "false"]] {
            let result = try ProcessRunner.run(dvc, arguments, in: sandbox.root, environment: sandbox.environment())
            #expect(result.status == 0, "dvc \(arguments): \(result.stderr)")
        }
        return sandbox
    }

    /// DVC's own view of every dvc.yaml stage, through its Python API (`repo.index.stages`).
    static let oracleScript = """
    import json, os
    from dvc.repo import Repo
    from dvc.stage import PipelineStage
    from dvc.dependency.param import ParamsDependency
    repo = Repo(".")
    out = []
    for stage in repo.index.stages:
        if not isinstance(stage, PipelineStage):
            continue
        wd = os.path.relpath(stage.wdir, repo.root_dir)
        out.append({
            "address": stage.addressing, "cmd": stage.cmd, "working_directory": "" if wd == "." else wd,
            "deps": [d.def_path for d in stage.deps if not isinstance(d, ParamsDependency)],
            "outs": sorted([{"path": o.def_path, "cache": bool(o.use_cache), "persist": bool(o.persist), "push": bool(o.can_push),
                             "kind": "metrics" if o.metric else ("plots" if o.plot else "outs"), "remote": o.remote}
                            for o in stage.outs], key=lambda x: x["path"]),
            "params": sorted([{"file": d.def_path, "keys": sorted(d.params)} for d in stage.deps if isinstance(d, ParamsDependency)],
                             key=lambda x: x["file"]),
            "frozen": bool(stage.frozen), "always_changed": bool(stage.always_changed), "desc": stage.desc,
        })
    print(json.dumps(out))
    """

    func oracle(_ sandbox: GitSandbox) throws -> JSONValue {
        let result = try ProcessRunner.run(python, ["-c", Self.oracleScript], in: sandbox.root,
                                           environment: sandbox.environment(["DVC_NO_ANALYTICS": "1"]))
        #expect(result.status == 0, "dvc's parser: \(result.stderr)")
        return try JSONParser().parse(result.stdout)
    }

    /// `mlci dvc stages --json` in the oracle's shape.
    func mlciStages(_ sandbox: GitSandbox) throws -> JSONValue {
        let result = try mlci("dvc", "stages", "--json", in: sandbox)
        #expect(result.status == 0, "\(result.stderr)")
        let document = try json(result)
        func sortedBy(_ key: String, _ items: [JSONValue]) -> [JSONValue] {
            items.sorted { ($0[key]?.stringValue ?? "") < ($1[key]?.stringValue ?? "") }
        }
        return .array((document["stages"]?.arrayValue ?? []).map { stage in
            [
                "address": stage["address"]!, "cmd": stage["cmd"]!, "working_directory": stage["working_directory"]!,
                "deps": .array((stage["deps"]?.arrayValue ?? []).map { $0["path"]! }),
                "outs": .array(sortedBy("path", (stage["outs"]?.arrayValue ?? []).map { out in
                    ["path": out["path"]!, "cache": out["cache"]!, "persist": out["persist"]!, "push": out["push"]!,
                     "kind": out["kind"]!, "remote": out["remote"]!]
                })),
                "params": .array(sortedBy("file", (stage["params"]?.arrayValue ?? []).map { p in
                    ["file": p["file"]!, "keys": .array((p["keys"]?.arrayValue ?? []).sorted { ($0.stringValue ?? "") < ($1.stringValue ?? "") })]
                })),
                "frozen": stage["frozen"]!, "always_changed": stage["always_changed"]!, "desc": stage["desc"]!,
            ]
        })
    }

    /// `dvc stage list --all --name-only`: DVC's order of stages.
    func dvcStageNames(_ sandbox: GitSandbox) throws -> [String] {
        let result = try ProcessRunner.run(dvc, ["stage", "list", "--all", "--name-only"], in: sandbox.root, environment: sandbox.environment())
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func compare(_ sandbox: GitSandbox, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let expected = try oracle(sandbox)
        let found = try mlciStages(sandbox)
        let expectedItems = expected.arrayValue ?? []
        let foundItems = found.arrayValue ?? []
        #expect(foundItems.map { $0["address"]?.stringValue ?? "" } == (try dvcStageNames(sandbox)), sourceLocation: sourceLocation)
        #expect(foundItems.count == expectedItems.count, sourceLocation: sourceLocation)
        for (mine, theirs) in zip(foundItems, expectedItems) where mine != theirs {
            Issue.record("stage differs:\n mlci: \(JSONWriter(style: .compact).string(mine))\n dvc:  \(JSONWriter(style: .compact).string(theirs))",
                         sourceLocation: sourceLocation)
        }
    }

    /// A decimal DVC and mlci both print the same way.
    static func randomRate(_ g: inout SystemRandomNumberGenerator) -> String {
        ["0.\(Int.random(in: 1...999, using: &g))", "1e-\(Int.random(in: 2...7, using: &g))", "\(Int.random(in: 1...9, using: &g)).5",
         "0.000\(Int.random(in: 1...9, using: &g))"].randomElement(using: &g)!
    }

    @Test func theStagesMlciExpandsAreTheStagesDvcBuildsOnAGeneratedCorpus() throws {
        var g = SystemRandomNumberGenerator()
        var template: GitSandbox? = nil
        for round in 0..<2 {
            let sandbox = try dvcRepository(like: template)
            template = template ?? sandbox
            let names = ["alpha", "beta", "gamma", "delta", "eps", "zeta"].shuffled(using: &g).prefix(Int.random(in: 2...4, using: &g))
            let seeds = (0..<Int.random(in: 2...4, using: &g)).map { $0 * 10 + Int.random(in: 0...9, using: &g) }
            let lr = Self.randomRate(&g)
            let epochs = Int.random(in: 1...500, using: &g)
            let region = ["us", "eu", "ap"].shuffled(using: &g)
            try sandbox.write("params.yaml", """
            train:
              lr: \(lr)
              epochs: \(epochs)
              layers: [16, 32]
              flag: \(Bool.random(using: &g) ? "yes" : "True")
            models:
              \(region[0]): {size: \(Int.random(in: 1...9, using: &g))}
              \(region[1]): {size: \(Int.random(in: 1...9, using: &g))}
            seeds: [\(seeds.map(String.init).joined(separator: ", "))]
            names: [\(names.joined(separator: ", "))]
            dirname: work
            opts: {lr: \(lr), use-gpu: true, debug: false, name: my run, layers: [1, 2, "a b"], nested: {depth: 3}}
            lrs: [0.1, \(Self.randomRate(&g))]

            """)
            try sandbox.write("other.yaml", "b: \(Int.random(in: 1...99, using: &g))\nc: 3\nd: {e: \(Int.random(in: 1...99, using: &g))}\n")
            try sandbox.write("cfg.json", "{\"j\": \"json-\(Int.random(in: 1...99, using: &g))\", \"k\": [1, 2]}\n")
            try sandbox.write("p.toml", """
            # TOML params
            title = "run \(round)"
            [section]
            x = \(Int.random(in: 1...1000, using: &g))
            rate = \(Self.randomRate(&g))
            big = 1_000
            hex = 0x1F
            [section.inner]
            name = 'literal \\ text'
            [[runs]]
            id = 1
            [[runs]]
            id = 2

            """)
            try sandbox.write("p.py", """
            import os
            LR = \(Self.randomRate(&g))
            EPOCHS: int = \(Int.random(in: 1...50, using: &g))
            NAMES = ["a", 'b']
            LIST = [1, -2]
            D = {"x": 1, "y": [True, None]}
            COMPUTED = LR * 2
            X = Y = 3

            class Cfg:
                depth = \(Int.random(in: 1...9, using: &g))

                def __init__(self):
                    self.width = 7
                    local = 5

            def helper():
                HIDDEN = 1

            """)
            try sandbox.write("p.json", "{\"a\": {\"y\": [1, 2], \"x\": \"s\"}, \"big\": 1e-07, \"n\": null}\n")
            try sandbox.write("raw.csv", "x,y\n1,2\n")
            try sandbox.write("work/.keep", "")
            try sandbox.write("work/sv.yaml", "sb: subval\n")
            try sandbox.write("dvc.yaml", """
            vars:
              - inline: {k: v}
                num: 7
              - other.yaml:b,d
              - cfg.json
              - p.toml:section
              - p.py
            stages:
              prepare:
                desc: |
                  Prepare the data
                  second line
                cmd: echo ${train.lr} ${train.epochs} ${train.flag} ${inline.k} ${num} ${b} ${d.e} ${j} ${section.x} ${section.rate} > prepared.txt
                deps:
                  - raw.csv
                outs:
                  - prepared.txt
              simple:
                foreach: [a, b, 3, true, 1.5]
                do:
                  cmd: echo ${item} > simple-${item}.txt
                  outs:
                    - simple-${item}.txt
              lod:
                foreach:
                  - {name: x, v: 1}
                  - {name: y, v: 2}
                do:
                  cmd: echo ${item.name} ${item.v} > lod-${item.name}.txt
                  deps:
                    - prepared.txt
                  outs:
                    - lod-${item.name}.txt:
                        persist: true
              fromparams:
                foreach: ${models}
                do:
                  cmd: echo ${key} ${item.size} > m-${key}.txt
                  params:
                    - models.${key}.size
                  outs:
                    - m-${key}.txt
              byname:
                foreach: ${names}
                do:
                  cmd:
                    - echo ${item}
                    - echo ${LR} ${Cfg.depth} ${Cfg.width} > n-${item}.txt
                  outs:
                    - n-${item}.txt:
                        cache: false
                        push: false
              mat:
                matrix:
                  model: [cnn, rnn]
                  lr: ${lrs}
                  cfg: [{d: 1}, {d: 2}]
                cmd: echo ${item.model} ${item.lr} ${item.cfg.d} ${key} > mat-${key}.txt
                outs:
                  - mat-${key}.txt
              wd:
                wdir: ${dirname}
                vars:
                  - sv.yaml
                  - local: L
                cmd: pwd > out.txt && echo ${sb} ${local}
                deps:
                  - ../prepared.txt
                params:
                  - train.lr
                outs:
                  - out.txt
              pfiles:
                cmd: python train.py ${opts}
                params:
                  - p.toml:
                      - section.x
                      - title
                  - p.py:
                      - LR
                      - Cfg.depth
                  - p.json:
                  - train
                  - seeds
                metrics:
                  - metrics.json:
                      cache: false
                plots:
                  - plot.csv:
                      x: a
                      y: b
                frozen: true
              always:
                cmd: date
                always_changed: true
                meta: {owner: me}
              escaped:
                cmd: echo '\\${train.lr}' $HOME ${seeds[0]} ${seeds.1}
                outs:
                  - esc.txt:
                      remote: backup

            """)
            try sandbox.write("sub/params.yaml", "lr: \(Self.randomRate(&g))\nwhich: [a1, b2]\n")
            try sandbox.write("sub/dvc.yaml", """
            stages:
              use:
                foreach: ${which}
                do:
                  cmd: echo ${lr} ${item} > used-${item}.txt
                  deps:
                    - ../prepared.txt
                  params:
                    - lr
                  outs:
                    - used-${item}.txt

            """)
            try compare(sandbox)
        }
    }

    @Test func aTwoHundredStageForeachLoadsLikeDvcAndQuickly() throws {
        let sandbox = try dvcRepository()
        try sandbox.write("params.yaml", "shards: [\((0..<200).map(String.init).joined(separator: ", "))]\nscale: 3\n")
        try sandbox.write("dvc.yaml", """
        stages:
          shard:
            foreach: ${shards}
            do:
              cmd: echo ${item} ${scale} > out/shard-${item}.txt
              deps:
                - params.yaml
              params:
                - scale
              outs:
                - out/shard-${item}.txt

        """)
        try compare(sandbox)
        let start = Date()
        for _ in 0..<5 { _ = try mlci("dvc", "stages", "--json", in: sandbox) }
        let average = Date().timeIntervalSince(start) / 5
        #expect(average < 1.0, "mlci dvc stages took \(average) s on 200 stages")
    }

    /// A bad dvc.yaml, the text on the line mlci must name, and whether DVC refuses it too.
    struct BadCase: Sendable, CustomStringConvertible {
        var name: String
        var yaml: String
        var marker: String
        /// Other files of the repository.
        var files: [String: String] = [:]
        var description: String { name }
    }

    static let badCases: [BadCase] = [
        BadCase(name: "unknown stage key", yaml: """
        stages:
          train:
            cmd: echo hi
            outz:
              - a.txt

        """, marker: "outz:"),
        BadCase(name: "unknown top-level key", yaml: """
        stagez:
          train:
            cmd: echo hi

        """, marker: "stagez:"),
        BadCase(name: "bad interpolation", yaml: """
        stages:
          train:
            cmd: echo ${nope.x}
            outs:
              - a.txt

        """, marker: "${nope.x}"),
        BadCase(name: "foreach over a missing key", yaml: """
        stages:
          train:
            foreach: ${missing}
            do:
              cmd: echo ${item}

        """, marker: "${missing}"),
        BadCase(name: "a cycle", yaml: """
        stages:
          first:
            cmd: cp b.txt a.txt
            deps:
              - b.txt
            outs:
              - a.txt
          second:
            cmd: cp a.txt b.txt
            deps:
              - a.txt
            outs:
              - b.txt

        """, marker: "first:"),
        BadCase(name: "an out claimed twice", yaml: """
        stages:
          first:
            cmd: echo 1 > a.txt
            outs:
              - a.txt
          second:
            cmd: echo 2 > a.txt
            outs:
              - a.txt

        """, marker: "second:"),
        BadCase(name: "a list interpolated into deps", yaml: """
        vars:
          - files: [a, b]
        stages:
          train:
            cmd: echo hi
            deps:
              - ${files}

        """, marker: "${files}"),
        BadCase(name: "interpolation in vars", yaml: """
        vars:
          - ${x}
        stages:
          train:
            cmd: echo hi

        """, marker: "${x}"),
        BadCase(name: "a bool field holding ${}", yaml: """
        vars:
          - flag: true
        stages:
          train:
            cmd: echo hi
            frozen: ${flag}

        """, marker: "${flag}"),
        BadCase(name: "an out dvc add tracks", yaml: """
        stages:
          train:
            cmd: echo 1 > a.txt
            outs:
              - a.txt

        """, marker: "train:", files: ["a.txt.dvc": "outs:\n- md5: d41d8cd98f00b204e9800998ecf8427e\n  size: 0\n  hash: md5\n  path: a.txt\n"]),
        BadCase(name: "a var redefined", yaml: """
        vars:
          - seed: 2
        stages:
          train:
            cmd: echo ${seed}

        """, marker: "seed: 2"),
    ]

    /// For each repository, whether DVC's own index (every stage resolved, the graph built)
    /// accepts it: one Python process for all.
    static let acceptScript = """
    import sys
    from dvc.repo import Repo
    for d in sys.argv[1:]:
        try:
            repo = Repo(d)
            repo.index.stages
            repo.index.graph
            print("ok")
        except Exception as e:
            print("refused", type(e).__name__)
    """

    @Test func aBadDvcYamlIsRefusedWithItsLocationAsDvcRefusesIt() throws {
        var sandboxes: [GitSandbox] = []
        for bad in Self.badCases {
            let sandbox = try dvcRepository(like: sandboxes.first)
            try sandbox.write("params.yaml", "seed: 1\n")
            try sandbox.write("dvc.yaml", bad.yaml)
            for (path, text) in bad.files { try sandbox.write(path, text) }
            try sandbox.commit("pipeline")
            sandboxes.append(sandbox)
        }
        // DVC refuses each of them too.
        let theirs = try ProcessRunner.run(python, ["-c", Self.acceptScript] + sandboxes.map(\.root),
                                           environment: sandboxes[0].environment(["DVC_NO_ANALYTICS": "1"]))
        let verdicts = theirs.stdout.split(separator: "\n").map(String.init)
        try #require(verdicts.count == Self.badCases.count, "\(theirs.stdout) \(theirs.stderr)")
        for (index, bad) in Self.badCases.enumerated() {
            let sandbox = sandboxes[index]
            #expect(verdicts[index].hasPrefix("refused"), "dvc accepted \(bad.name)")
            let before = try sandbox.git("status", "--porcelain", "--ignored")
            let result = try mlci("dvc", "stages", in: sandbox)
            #expect(result.status == 2, "\(bad.name): \(result.stdout) \(result.stderr)")
            let lines = bad.yaml.split(separator: "\n", omittingEmptySubsequences: false)
            let line = lines.firstIndex { $0.contains(bad.marker) }.map { $0 + 1 } ?? 0
            let column = lines.first { $0.contains(bad.marker) }.map { String($0).distance(of: bad.marker) + 1 } ?? 0
            #expect(result.stderr.contains("dvc.yaml:\(line):\(column):"), "\(bad.name): \(result.stderr)")
            #expect(try sandbox.git("status", "--porcelain", "--ignored") == before, "\(bad.name): nothing written")
        }
    }
}

extension String {
    /// The offset of the first `needle` in characters (0 when absent).
    func distance(of needle: String) -> Int {
        guard let range = range(of: needle) else { return 0 }
        return self.distance(from: startIndex, to: range.lowerBound)
    }
}
