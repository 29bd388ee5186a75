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
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])]
        ),
        .target(name: "MLCIGit", dependencies: ["CLibGit2", "MLCISupport", "MLCICompression"]),
        .target(name: "MLCISupport"),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]),
        .target(name: "MLCIYAML", dependencies: ["CYAML"]),
        .target(
            name: "MLCIHashing",
            dependencies: ["MLCISupport", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "MLCIConfig", dependencies: ["MLCISupport", "MLCIYAML"]),
        .target(name: "MLCITrust", dependencies: ["MLCISupport", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "MLCILineage",
            dependencies: ["MLCIGit", "MLCISupport", "MLCIHashing", "MLCIConfig", "MLCIYAML"]
        ),
        .target(
            name: "MLCIDVC",
            dependencies: ["MLCISupport", "MLCIConfig", "MLCILineage", "MLCIHashing", "MLCIHTTP", "MLCIYAML", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "MLCIPipeline", dependencies: ["MLCIDVC", "MLCILineage", "MLCIConfig", "MLCIHashing", "MLCISupport"]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .systemLibrary(name: "CDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"]), .brew(["libdeflate"])]),
        .systemLibrary(name: "CBZip2", providers: [.apt(["libbz2-dev"]), .brew(["bzip2"])]),
        .systemLibrary(name: "CLZMA", pkgConfig: "liblzma", providers: [.apt(["liblzma-dev"]), .brew(["xz"])]),
        .target(name: "MLCIModelScan", dependencies: ["CZlib", "CBZip2", "CLZMA", "MLCISupport"]),
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"]), .brew(["snappy"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"]), .brew(["lz4"])]),
        .systemLibrary(name: "CBrotli", pkgConfig: "libbrotlidec", providers: [.apt(["libbrotli-dev"]), .brew(["brotli"])]),
        .target(name: "MLCICompression", dependencies: ["CSnappy", "CZstd", "CLZ4", "CBrotli", "CZlib", "CDeflate"]),
        .target(name: "MLCIParquet", dependencies: ["MLCICompression", "MLCISupport"]),
        .target(name: "MLCIData", dependencies: ["MLCISupport", "MLCIParquet"]),
        .target(name: "MLCIStats"),
        .target(name: "MLCIReport", dependencies: ["MLCISupport", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "CCurlLoader", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "MLCIHTTP", dependencies: ["CCurlLoader"]),
        .target(name: "MLCIPublish", dependencies: ["MLCIReport", "MLCISupport", "MLCIHTTP"]),
        .target(name: "MLCIChecks", dependencies: ["MLCIConfig", "MLCISupport", "MLCILineage", "MLCIModelScan", "MLCIData", "MLCIStats"]),
        .target(
            name: "MLCIVerify",
            dependencies: ["MLCIPipeline", "MLCIDVC", "MLCIChecks", "MLCIModelScan", "MLCIData", "MLCILineage", "MLCIGit", "MLCIConfig", "MLCISupport", "MLCITrust", "MLCIYAML"]
        ),
        .target(
            name: "MLCIDeploy",
            dependencies: [
                "MLCIGit", "MLCILineage", "MLCIConfig", "MLCIHashing", "MLCISupport", "MLCITrust",
                .product(name: "Crypto", package: "swift-crypto"),
                "MLCIYAML",
            ]
        ),
        .target(
            name: "MLCICommands",
            dependencies: [
                "MLCIVerify", "MLCIDeploy", "MLCIPipeline", "MLCIDVC", "MLCIChecks", "MLCIModelScan", "MLCIData", "MLCIReport", "MLCIPublish",
                "MLCILineage", "MLCIConfig", "MLCIHashing", "MLCIGit", "MLCISupport", "MLCITrust",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "mlci", dependencies: ["MLCICommands"]),
        .target(name: "MLCITestSupport", dependencies: ["MLCISupport"]),
        .testTarget(name: "MLCIGitTests", dependencies: ["MLCIGit", "MLCITestSupport"]),
        .testTarget(name: "MLCISupportTests", dependencies: ["MLCISupport"]),
        .testTarget(name: "MLCIYAMLTests", dependencies: ["MLCIYAML", "MLCISupport", "MLCITestSupport"]),
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
        .testTarget(name: "MLCITrustTests", dependencies: ["MLCITrust", "MLCISupport", "MLCITestSupport"]),
        .testTarget(name: "MLCIHTTPTests", dependencies: ["MLCIHTTP", "MLCISupport", "MLCITestSupport"]),
        .testTarget(name: "MLCIEndToEndTests", dependencies: ["MLCITestSupport", "MLCISupport"]),
        .testTarget(name: "MLCIDVCTests", dependencies: ["MLCIDVC", "MLCIHashing", "MLCISupport", "MLCITestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
