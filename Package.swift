// swift-tools-version: 6.0
import PackageDescription

/// mlci: an ML repository as a GitOps system.
///
/// Targets, in the order data flows:
///   CLibGit2 (system library) → MLCIGit (the only importer of CLibGit2)
///   MLCISupport (JSON, diagnostics, files) → MLCIHashing → MLCIConfig → MLCILineage
///   → MLCIPipeline (plan, run) → MLCIChecks (findings) → MLCIVerify (verdict, ledger, CI)
///   → MLCIDeploy (deploy artifacts of approved commits, GitOps promotion, registry)
///   → MLCICommands (argument parsing, rendering) → mlci (entry point)
let package = Package(
    name: "mlci",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mlci", targets: ["mlci"]),
        .library(name: "MLCILineage", targets: ["MLCILineage"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])]
        ),
        .target(name: "MLCIGit", dependencies: ["CLibGit2"]),
        .target(name: "MLCISupport"),
        .target(
            name: "MLCIHashing",
            dependencies: ["MLCISupport", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "MLCIConfig", dependencies: ["MLCISupport", "Yams"]),
        .target(
            name: "MLCILineage",
            dependencies: ["MLCIGit", "MLCISupport", "MLCIHashing", "MLCIConfig", "Yams"]
        ),
        .target(name: "MLCIDVC", dependencies: ["MLCISupport", "MLCIConfig", "MLCILineage", "MLCIHashing", "Yams"]),
        .target(name: "MLCIPipeline", dependencies: ["MLCIDVC", "MLCILineage", "MLCIConfig", "MLCIHashing", "MLCISupport"]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .target(name: "MLCIModelScan", dependencies: ["CZlib", "MLCISupport"]),
        .target(name: "MLCIData", dependencies: ["MLCISupport"]),
        .target(name: "MLCIStats"),
        .target(name: "MLCIReport", dependencies: ["MLCISupport", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "MLCIPublish", dependencies: ["MLCIReport", "MLCISupport"]),
        .target(name: "MLCIChecks", dependencies: ["MLCIConfig", "MLCISupport", "MLCILineage", "MLCIModelScan", "MLCIData", "MLCIStats"]),
        .target(
            name: "MLCIVerify",
            dependencies: ["MLCIPipeline", "MLCIDVC", "MLCIChecks", "MLCIModelScan", "MLCIData", "MLCILineage", "MLCIGit", "MLCIConfig", "MLCISupport", "Yams"]
        ),
        .target(
            name: "MLCIDeploy",
            dependencies: [
                "MLCIGit", "MLCILineage", "MLCIConfig", "MLCIHashing", "MLCISupport",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                "Yams",
            ]
        ),
        .target(
            name: "MLCICommands",
            dependencies: [
                "MLCIVerify", "MLCIDeploy", "MLCIPipeline", "MLCIDVC", "MLCIChecks", "MLCIModelScan", "MLCIData", "MLCIReport", "MLCIPublish",
                "MLCILineage", "MLCIConfig", "MLCIHashing", "MLCIGit", "MLCISupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "mlci", dependencies: ["MLCICommands"]),
        .target(name: "MLCITestSupport", dependencies: ["MLCISupport"]),
        .testTarget(name: "MLCIGitTests", dependencies: ["MLCIGit", "MLCITestSupport"]),
        .testTarget(name: "MLCISupportTests", dependencies: ["MLCISupport"]),
        .testTarget(name: "MLCIHashingTests", dependencies: ["MLCIHashing", "MLCITestSupport"]),
        .testTarget(name: "MLCIConfigTests", dependencies: ["MLCIConfig", "MLCITestSupport"]),
        .testTarget(
            name: "MLCILineageTests",
            dependencies: ["MLCILineage", "MLCITestSupport", "MLCIGit", "MLCISupport"]
        ),
        .testTarget(name: "MLCIChecksTests", dependencies: ["MLCIChecks", "MLCIData", "MLCIConfig", "MLCISupport", "MLCITestSupport"]),
        .testTarget(name: "MLCIStatsTests", dependencies: ["MLCIStats", "MLCISupport", "MLCITestSupport"]),
        .testTarget(name: "MLCIModelScanTests", dependencies: ["MLCIModelScan", "MLCITestSupport", "MLCISupport"]),
        .testTarget(name: "MLCIDeployTests", dependencies: ["MLCIDeploy", "MLCIConfig", "MLCIGit", "MLCISupport", "MLCITestSupport"]),
        .testTarget(name: "MLCIEndToEndTests", dependencies: ["MLCITestSupport", "MLCISupport"]),
        .testTarget(name: "MLCIDVCTests", dependencies: ["MLCIDVC", "MLCIHashing", "MLCISupport", "MLCITestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
