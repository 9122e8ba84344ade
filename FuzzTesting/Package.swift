// swift-tools-version:6.1
import PackageDescription

/// libFuzzer targets for every parser of outside input. A nested package (as swift-protobuf's FuzzTesting/), so
/// that a plain `swift build` of the product never links an executable without `main`. Build and run them with
/// `scripts/fuzz` (`swift build -c release --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address`).
let targets = [
    "FuzzKubeConfig", "FuzzExecCredential", "FuzzKubernetesJSON", "FuzzARM", "FuzzEntraToken",
    "FuzzGatewayToken", "FuzzDuration", "FuzzCronSchedule", "FuzzAzureCLI",
]

let package = Package(
    name: "FuzzTesting",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "kubectl-apimtoken", path: "..")
    ],
    targets: [
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "APIMToken", package: "kubectl-apimtoken")]
        )
    ]
        + targets.map { name in
            .executableTarget(
                name: name,
                dependencies: ["FuzzSupport", .product(name: "APIMToken", package: "kubectl-apimtoken")]
            )
        }
)
