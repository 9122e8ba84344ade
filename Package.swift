// swift-tools-version:6.1
import PackageDescription

/// kubectl-apimtoken: keeps Azure API Management self-hosted gateway tokens from expiring.
///
/// The `kubectl-apimtoken` product links only ArgumentParser, swift-crypto and the system libyaml (libcurl is loaded
/// when the first request is made, see Sources/CCurl/shim.h), and
/// imports FoundationEssentials, never Foundation (which would bring ICU: half the binary).
/// SwiftNIO and its TLS stack are used by the sandbox targets alone; build the plugin with
/// `swift build --product kubectl-apimtoken` so that they are not compiled for it.
let package = Package(
    name: "kubectl-apimtoken",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "kubectl-apimtoken", targets: ["kubectl-apimtoken"]),
        .executable(name: "apimtoken-sandbox", targets: ["apimtoken-sandbox"]),
        .library(name: "APIMToken", targets: ["APIMToken"]),
        .library(name: "APIMTokenSandbox", targets: ["APIMTokenSandbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", exact: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", exact: "1.7.4"),
    ],
    targets: [
        // MARK: - The plugin
        .executableTarget(
            name: "kubectl-apimtoken",
            dependencies: ["APIMTokenCLI"]
        ),
        .target(
            name: "APIMTokenCLI",
            dependencies: [
                "APIMToken",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "APIMToken",
            dependencies: [
                "CCurl",
                "YAML",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // The one module that knows YAML: libyaml's parser under the kubeconfig and exec credential readers, and
        // its emitter for manifests and `-o yaml`.
        .target(
            name: "YAML",
            dependencies: ["CYAML"]
        ),
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            // No pkgConfig: it would link libcurl, and libcurl is loaded when the first request is made (see shim.h).
            // The headers are in the default include path of Debian's libcurl4-openssl-dev.
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),

        // MARK: - The sandbox (simulated cluster and Azure on loopback)
        .target(
            name: "APIMTokenSandbox",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "apimtoken-sandbox",
            dependencies: [
                "APIMTokenSandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Tests
        .testTarget(
            name: "APIMTokenTests",
            dependencies: ["APIMToken", "YAML"],
            exclude: ["Support/tls_echo_server.py"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "APIMTokenCLITests",
            dependencies: ["APIMTokenCLI", "APIMToken"]
        ),
        .testTarget(
            name: "APIMTokenSandboxTests",
            dependencies: ["APIMTokenSandbox"]
        ),
        // The built `kubectl-apimtoken` binary run against an in-process sandbox, directly and through kubectl.
        .testTarget(
            name: "APIMTokenEndToEndTests",
            dependencies: ["APIMTokenSandbox", "APIMToken"]
        ),
    ]
)
