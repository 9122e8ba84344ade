import APIMTokenSandbox
import ArgumentParser
import Foundation

/// `up`: starts a sandbox in the background and prints how to use it.
struct Up: AsyncParsableCommand {
    /// Help text.
    static let configuration = CommandConfiguration(abstract: "Start a sandbox in the background and write DIR/kubeconfig and DIR/env.")

    @OptionGroup var dir: DirectoryOption

    /// The starting world.
    @Option(help: "The starting world: \(Scenario.allCases.map(\.rawValue).joined(separator: ", ")).")
    var scenario: Scenario = .demo

    /// Gateways for `many`.
    @Option(help: "Gateways for --scenario many.")
    var gateways: Int = 20

    /// Namespaces for `many`.
    @Option(help: "Namespaces for --scenario many.")
    var namespaces: Int = 4

    /// Gateways whose token expires within 10 days, for `many`.
    @Option(
        help:
            "For --scenario many: exactly this many gateways get a token expiring within 10 days, the others 11 to 29 days (default: 1 to 29 days by gateway number)."
    )
    var expiring: Int?

    /// Clusters sharing the one Azure.
    @Option(help: "Kubernetes clusters sharing the one Azure; cluster K ≥ 2 is context apimtoken-sandbox-K in DIR/kubeconfig.")
    var clusters: Int = 1

    /// Noise ConfigMaps for `many`.
    @Option(help: "Unrelated ConfigMaps for --scenario many (default: 10 per gateway).")
    var noise: Int?

    /// Seconds between rollout steps.
    @Option(help: "Seconds between rollout steps (the simulated controllers' speed).")
    var rolloutStep: Double = 1

    /// Seconds a pod takes to start.
    @Option(help: "Seconds a new pod takes to start.")
    var podStart: Double = 1

    /// An OCI image archive to run Jobs in.
    @Option(
        help: ArgumentHelp(
            "Run every Job's pod in this OCI image archive (from scripts/image), as UID/GID the pod asks for, with a read-only root. Needs root.",
            valueName: "archive"))
    var jobImage: String?

    /// How long to wait for readiness.
    @Option(help: "Seconds to wait for the sandbox to be ready.")
    var timeout: Double = 60

    /// Rejects negative sizes and non-positive times.
    func validate() throws {
        guard gateways >= 0, namespaces >= 1, (noise ?? 0) >= 0 else { throw ValidationError("--gateways and --noise must be ≥ 0, --namespaces ≥ 1") }
        guard rolloutStep > 0, podStart >= 0, timeout > 0 else { throw ValidationError("--rollout-step and --timeout must be > 0") }
        guard clusters >= 1 else { throw ValidationError("--clusters must be ≥ 1") }
        if let expiring {
            guard scenario == .many else { throw ValidationError("--expiring applies to --scenario many only") }
            guard (0...gateways).contains(expiring) else { throw ValidationError("--expiring must be between 0 and --gateways (\(gateways))") }
        }
    }

    /// Starts `serve` in the background and waits for DIR/ready.
    func run() async throws {
        let fm = FileManager.default
        if let pid = dir.runningPID() {
            throw ValidationError("a sandbox is already running in \(dir.url.path) (pid \(pid)); stop it with: apimtoken-sandbox down --dir \(dir.url.path)")
        }
        try fm.createDirectory(at: dir.url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let ready = dir.url.appendingPathComponent("ready")
        try? fm.removeItem(at: ready)
        let logURL = dir.url.appendingPathComponent("sandbox.log")
        _ = fm.createFile(atPath: logURL.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: logURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        var arguments: [String] = [
            "serve", "--dir", dir.url.path, "--scenario", scenario.rawValue, "--gateways", String(gateways), "--namespaces", String(namespaces),
            "--noise", String(noise ?? (scenario == .many ? 10 * gateways : 0)), "--rollout-step", String(rolloutStep), "--pod-start", String(podStart),
            "--clusters", String(clusters),
        ]
        if let expiring { arguments += ["--expiring", String(expiring)] }
        if let jobImage { arguments += ["--job-image", URL(fileURLWithPath: jobImage).standardizedFileURL.path] }
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while !fm.fileExists(atPath: ready.path) {
            if !process.isRunning || Date() > deadline {
                if process.isRunning { process.terminate() }
                let log = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
                FileHandle.standardError.write(Data("apimtoken-sandbox: the sandbox did not start within \(Int(timeout))s.\n\(log.suffix(2000))\n".utf8))
                throw ExitCode(1)
            }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        let d = dir.url.path
        let contexts =
            ["apimtoken-sandbox (client certificate)", "apimtoken-sandbox-token (bearer token)"]
            + (1..<clusters).map { "\(Sandbox.contextName(cluster: $0 + 1)) (cluster \($0 + 1), client certificate)" }
        print(
            """
            apimtoken-sandbox is running (pid \(process.processIdentifier), scenario \(scenario.rawValue)\(clusters > 1 ? ", \(clusters) clusters sharing one Azure" : "")).

              source \(d)/env                 # KUBECONFIG, ARM_ENDPOINT, AZURE_AUTHORITY_HOST, SSL_CERT_FILE, demo AZURE_CLIENT_* …
              kubectl get deployments,statefulsets,pods -A
              kubectl --context apimtoken-sandbox-token get secrets -n apim

            Contexts in \(d)/kubeconfig: \(contexts.joined(separator: ", ")).
            Request log: \(d)/requests.jsonl   Server log: \(d)/sandbox.log
            Service-account token:  apimtoken-sandbox token --dir \(d) --service-account apim/apimtoken-rotator
            Inject a fault:         apimtoken-sandbox fault --dir \(d) --server arm --path '*/generateToken' --status 429 --retry-after 2
            Stop it:                apimtoken-sandbox down --dir \(d)
            """)
        if let jobImage { print("Jobs run in the image \(jobImage) (unpacked in \(d)/job-image/rootfs); their output: \(d)/pods/NAMESPACE-JOB.log") }
    }
}

extension Scenario: ExpressibleByArgument {}
