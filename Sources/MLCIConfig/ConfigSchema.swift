/// The schema of `mlci.yaml`, version 1: every section, including those later commands act on.
///
/// docs/config.md describes it in prose; `schemas/mlci.schema.json` is rendered from it.
public enum ConfigSchema {
    typealias P = Schema.Property

    static let paths: Schema = .either([
        .string(.path, description: "One path."),
        .array(.string(.path), description: "Several paths."),
    ])

    static let threshold: Schema = .number(description: "A number.")

    static let dataEntry: Schema = .either([
        .string(.path, description: "A file or directory, hashed by mlci (SHA-256)."),
        .object([
            P("path", .string(.path, description: "A file or directory, hashed by mlci (SHA-256)."), required: true),
            P("description", .string(.text)),
        ], description: "A data path with a description."),
        .object([
            P("dvc", .string(.path, description: "A .dvc file whose outs are this data (md5, as DVC records it)."), required: true),
            P("description", .string(.text)),
        ], description: "Data tracked by DVC."),
    ])

    static let stageParams: Schema = .array(.either([
        .string(.dottedKey, description: "A key (or a whole section) of the default params file."),
        .map(key: .path, value: .array(.string(.dottedKey)), description: "Keys of another params file: {file.yaml: [key, ...]}."),
    ]), description: "The params keys this stage uses; only these trigger a re-run when they change.")

    static let stage: Schema = .object([
        P("cmd", .either([
            .string(.text, description: "A shell command, run with /bin/sh -c in the repository root."),
            .array(.string(.text), minItems: 1, description: "Commands run one after another; the first failure stops the stage."),
        ]), required: true),
        P("deps", paths),
        P("params", stageParams),
        P("outs", paths),
        P("metrics", paths),
        P("timeout", .either([
            .number(minimum: 0, exclusiveMinimum: true, description: "Seconds."),
            .string(.duration),
        ])),
        P("env", .map(key: .identifier, value: .scalar(description: "An environment variable's value."))),
        P("always_changed", .boolean(description: "Run the stage on every verify, as DVC's always_changed.")),
        P("description", .string(.text)),
    ], description: "One step of the pipeline.")

    static let metricGate: Schema = .object([
        P("min", threshold),
        P("max", threshold),
        P("max_drop", .number(minimum: 0, description: "The most the metric may fall below the target branch's value (absolute).")),
        P("max_rise", .number(minimum: 0, description: "The most the metric may rise above the target branch's value (absolute); for errors and latencies.")),
        P("max_drop_pct", .number(minimum: 0, maximum: 100, description: "The most the metric may fall, in percent of the target branch's value.")),
        P("max_rise_pct", .number(minimum: 0, description: "The most the metric may rise, in percent of the target branch's value.")),
        P("file", .string(.path, description: "The metrics file holding it, when several stages write metrics.")),
        P("severity", .enumeration(["error", "warning"])),
    ], description: "Bounds for one metric, by its dotted key.",
       requireAnyOf: ["min", "max", "max_drop", "max_rise", "max_drop_pct", "max_rise_pct"])

    static let columnType: Schema = .enumeration(["string", "int", "float", "bool", "category", "date", "datetime"])

    static let dataExpectations: Schema = .object([
        P("columns", .map(key: .text, value: columnType, description: "Declared columns and their types.")),
        P("ordered", .boolean(description: "The columns must appear in the declared order.")),
        P("exact", .boolean(description: "No columns other than the declared ones.")),
        P("format", .enumeration(["csv", "tsv", "jsonl", "parquet"])),
        P("not_null", .array(.string(.text))),
        P("unique", .array(.string(.text))),
        P("between", .map(key: .text, value: .array(.either([.number(), .scalar()]), minItems: 2))),
        P("in_set", .map(key: .text, value: .array(.scalar()))),
        P("regex", .map(key: .text, value: .string(.text))),
        P("mean_between", .map(key: .text, value: .array(.number(), minItems: 2))),
        P("min_between", .map(key: .text, value: .array(.number(), minItems: 2))),
        P("max_between", .map(key: .text, value: .array(.number(), minItems: 2))),
        P("rows", .object([P("min", .integer(minimum: 0)), P("max", .integer(minimum: 0))])),
        P("mostly", .number(minimum: 0, maximum: 1, description: "The fraction of rows that must meet each expectation (1 = all).")),
        P("strict", .boolean(description: "Bounds of between, mean_between, min_between and max_between exclude their ends (GX strict_min/strict_max).")),
    ], description: "Expectations on one data file (Great Expectations semantics).")

    static let drift: Schema = .object([
        P("data", paths, required: true),
        P("reference", .string(.path, description: "A fixed reference file instead of the data at the merge-base.")),
        P("columns", .array(.string(.text))),
        P("methods", .map(key: .text, value: .enumeration(["ks", "psi", "chisquare", "z", "wasserstein", "jensenshannon"]))),
        P("psi_max", .number(minimum: 0)),
        P("p_value_min", .number(minimum: 0, maximum: 1)),
        P("wasserstein_max", .number(minimum: 0)),
        P("jensenshannon_max", .number(minimum: 0, maximum: 1)),
        P("share_max", .number(minimum: 0, maximum: 1, description: "Dataset drift when at least this share of columns drifted.")),
        P("bins", .integer(minimum: 2, maximum: 1000)),
    ], description: "Drift of a dataset against the target branch's.")

    static let fairness: Schema = .object([
        P("predictions", .string(.path), required: true),
        P("group", .either([.string(.text), .array(.string(.text), minItems: 1)]), required: true),
        P("label", .string(.text), required: true),
        P("prediction", .string(.text), required: true),
        P("weight", .string(.text)),
        P("positive", .scalar(description: "The value of label/prediction that counts as positive (default 1).")),
        P("disparate_impact_min", .number(minimum: 0, maximum: 1)),
        P("parity_difference_max", .number(minimum: 0, maximum: 1)),
        P("equalized_odds_max", .number(minimum: 0, maximum: 1)),
    ], description: "Fairness across groups from a predictions file.")

    static let modelGate: Schema = .object([
        P("scan", paths, required: true),
        P("max_size_mb", .number(minimum: 0, exclusiveMinimum: true)),
        P("allow", .array(.string(.text), description: "Extra exact module.callable names a pickle may import (never a prefix).")),
        P("deny", .array(.string(.text), description: "Extra module prefixes or names to refuse.")),
        P("waive", .array(.object([
            P("file", .string(.plainPath), required: true),
            P("reason", .string(.text), required: true),
        ]), description: "Files let through despite findings, each with the reason the report shows.")),
    ], description: "Static security scan of model files; fails closed.")

    static let provenance: Schema = .object([
        P("clean_tree", .boolean(description: "Refuse a verdict for uncommitted changes.")),
        P("data_tracked", .boolean(description: "Every declared data path must match mlci.lock.")),
        P("outs_unmodified", .boolean(description: "No stage output may differ from what its stage produced.")),
        P("data_pushed", .boolean(description: "Every cached DVC out the commit records must exist in the default DVC remote (HEAD requests, no download).")),
    ])

    static let gate: Schema = .object([
        P("metrics", .map(key: .dottedKey, value: metricGate)),
        P("data", .map(key: .path, value: dataExpectations)),
        P("drift", drift),
        P("fairness", fairness),
        P("model", modelGate),
        P("provenance", provenance),
        P("allow_empty", .boolean(description: "Approve even when no metric, data, drift, fairness or model check is configured.")),
    ], description: "What a change must satisfy to be approved.")

    static let trust: Schema = .object([
        P("allowed_signers", .string(.path, description: "OpenSSH allowed_signers file naming who may sign verdicts (ssh-keygen ALLOWED SIGNERS).")),
        P("require_signatures", .boolean(description: "Refuse unsigned verdicts and promotions, even with --allow-unsigned.")),
    ], description: "Who may sign verdicts and promotion records.")

    static let environment: Schema = .object([
        P("namespace", .string(.dnsLabel), required: true),
        P("replicas", .integer(minimum: 0, maximum: 1000)),
        P("branch", .string(.branch, description: "The GitOps branch promote commits to.")),
        P("dir", .string(.path, description: "The GitOps folder promote writes to.")),
        P("host", .string(.hostname, description: "The host name the environment serves on.")),
        P("stage", .enumeration(["staging", "production"], description: "The MLflow-style stage this environment stands for (default: production for production/prod/live, else staging).")),
    ])

    static let deploy: Schema = .object([
        P("name", .string(.dnsLabel), required: true),
        P("image", .string(.imageRepository, description: "The image repository; the commit is the tag."), required: true),
        P("model", .string(.plainPath), required: true),
        P("preset", .enumeration(["python", "mlflow", "custom"])),
        P("base_image", .string(.imageReference, description: "The base image; pin it by digest (name:tag@sha256:…).")),
        P("requirements", .string(.plainPath)),
        P("code", .either([.string(.plainPath), .array(.string(.plainPath))], description: "Code copied into the image (default: src when the commit has it).")),
        P("serve", .object([
            P("command", .array(.string(.word), minItems: 1)),
            P("port", .integer(minimum: 1, maximum: 65535)),
            P("health", .string(.httpPath)),
        ])),
        P("resources", .object([
            P("cpu", .string(.quantity)), P("memory", .string(.quantity)),
            P("cpu_limit", .string(.quantity)), P("memory_limit", .string(.quantity)),
            P("gpu", .integer(minimum: 0, maximum: 16)),
        ])),
        P("replicas", .object([
            P("min", .integer(minimum: 1, maximum: 1000)), P("max", .integer(minimum: 1, maximum: 1000)),
            P("cpu_target", .integer(minimum: 1, maximum: 100)),
        ])),
        P("canary", .object([P("steps", .array(.integer(minimum: 1, maximum: 100), minItems: 1)), P("pause", .string(.duration))])),
        P("kserve", .boolean()),
        P("train_job", .object([
            P("stage", .string(.identifier)),
            P("resources", .object([P("cpu", .string(.quantity)), P("memory", .string(.quantity)), P("gpu", .integer(minimum: 0, maximum: 16))])),
        ])),
        P("environments", .map(key: .dnsLabel, value: environment)),
        P("templates", .string(.path, description: "A folder of templates overriding the built-in ones.")),
    ], description: "How an approved model ships.")

    static let reports: Schema = .object([
        P("dir", .string(.path)),
        P("formats", .array(.enumeration(["json", "junit", "sarif", "markdown", "gitlab", "html", "github"]))),
        P("comment", .boolean()),
        P("history_metric", .string(.dottedKey)),
    ])

    /// The whole file.
    public static let root: Schema = .object([
        P("version", .integer(minimum: 1, maximum: 1, description: "The schema version; 1."), required: true),
        P("target", .string(.branch, description: "The branch a change is compared with (default main).")),
        P("data", .array(dataEntry, description: "What the data of a commit is.")),
        P("params", paths),
        P("models", paths),
        P("metrics", paths),
        P("stages", .map(key: .identifier, value: stage, description: "The pipeline, run in this order.")),
        P("gate", gate),
        P("deploy", deploy),
        P("reports", reports),
        P("trust", trust),
    ], description: "mlci configuration")
}
