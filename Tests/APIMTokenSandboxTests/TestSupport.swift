import Foundation
import Testing

@testable import APIMTokenSandbox

/// The output of a child process.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var timedOut: Bool
}

/// Helpers shared by the sandbox tests.
enum TestSupport {
    /// The package root, found from this file's path.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The Python of `.venv-tests` (made by `scripts/bootstrap`). When it is missing, the first caller creates it
    /// with `python3 -m venv` and pip (PyPI); a test that cannot get it records a failure, never a skip.
    static func python() async -> String? {
        await PythonEnvironment.shared.python()
    }

    /// The kubectl to test with (`/usr/bin/kubectl`, the dispatcher build, if present).
    static func kubectl() -> String? {
        for candidate in ["/usr/bin/kubectl", "/usr/local/bin/kubectl", "/usr/lib/google-cloud-sdk/bin/kubectl.1.32"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        Issue.record("kubectl is not installed; the fidelity tests need real kubectl 1.32")
        return nil
    }

    /// Runs a program with arguments (no shell), a bounded time, and the given environment additions.
    static func run(_ argv: [String], environment: [String: String] = [:], stdin: String? = nil, timeout: TimeInterval = 60) async -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        var env = ProcessInfo.processInfo.environment
        for key in ["KUBECONFIG", "HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"] { env[key] = nil }
        env["NO_PROXY"] = "127.0.0.1,localhost"
        env.merge(environment) { _, b in b }
        process.environment = env
        let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-out-\(UUID().uuidString)")
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        do {
            process.standardOutput = try FileHandle(forWritingTo: outURL)
            process.standardError = try FileHandle(forWritingTo: errURL)
            if let stdin {
                let inURL = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-in-\(UUID().uuidString)")
                try Data(stdin.utf8).write(to: inURL)
                process.standardInput = try FileHandle(forReadingFrom: inURL)
            } else {
                process.standardInput = FileHandle.nullDevice
            }
            try process.run()
        } catch {
            return ProcessResult(status: -1, stdout: "", stderr: "could not start \(argv[0]): \(error)", timedOut: false)
        }
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                process.terminate()
                break
            }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        process.waitUntilExit()
        let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return ProcessResult(status: process.terminationStatus, stdout: out, stderr: err, timedOut: timedOut)
    }

    /// A fresh, empty HOME (kubectl caches discovery under it).
    static func freshHome() -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-home-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// Runs kubectl against the sandbox with a fresh HOME.
    static func kubectl(_ sandbox: Sandbox, _ args: [String], stdin: String? = nil, timeout: TimeInterval = 60) async -> ProcessResult {
        guard let kubectl = kubectl() else { return ProcessResult(status: -1, stdout: "", stderr: "no kubectl", timedOut: false) }
        let home = freshHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        return await run([kubectl, "--kubeconfig", sandbox.kubeconfigPath] + args, environment: ["HOME": home], stdin: stdin, timeout: timeout)
    }

    /// A curl request; returns (status code, body, response headers).
    static func curl(
        _ url: String, sandbox: Sandbox, method: String = "GET", bearer: String? = nil, clientCertificate: Bool = false,
        body: String? = nil, contentType: String = "application/json", extraHeaders: [String] = [], timeout: TimeInterval = 30
    ) async -> (status: Int, body: String, headers: String) {
        let headerFile = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-h-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: headerFile) }
        var argv = [
            "/usr/bin/curl", "-sS", "--noproxy", "*", "--cacert", sandbox.caCertificatePath, "-X", method, "-D", headerFile, "-o", "-", "-w", "\n%{http_code}",
            "--max-time", String(Int(timeout)),
        ]
        if let bearer { argv += ["-H", "Authorization: Bearer \(bearer)"] }
        if clientCertificate {
            argv += ["--cert", sandbox.directory.appendingPathComponent("admin.crt").path, "--key", sandbox.directory.appendingPathComponent("admin.key").path]
        }
        for h in extraHeaders { argv += ["-H", h] }
        if body != nil { argv += ["-H", "Content-Type: \(contentType)", "--data-binary", "@-"] }
        argv.append(url)
        let result = await run(argv, stdin: body, timeout: timeout + 5)
        let headers = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.last ?? "") ?? 0
        return (status, lines.dropLast().joined(separator: "\n"), headers)
    }

    /// Starts a sandbox for one test.
    static func start(_ scenario: Scenario = .demo, _ configure: (inout SandboxOptions) -> Void = { _ in }) async throws -> Sandbox {
        var options = SandboxOptions(scenario: scenario, controller: ControllerOptions(podStartDelay: 0.2, stepInterval: 0.1))
        configure(&options)
        return try await Sandbox.start(options)
    }

    /// An ARM access token for a principal, from the sandbox's Entra endpoint.
    static func armToken(_ sandbox: Sandbox, clientID: String, secret: String) async -> String? {
        let form =
            "grant_type=client_credentials&client_id=\(clientID)&client_secret=\(secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&scope=https%3A%2F%2Fmanagement.azure.com%2F.default"
        let r = await curl(
            "\(sandbox.authorityHost)/\(sandbox.azure.tenantID)/oauth2/v2.0/token", sandbox: sandbox, method: "POST", body: form,
            contentType: "application/x-www-form-urlencoded")
        return (try? JSON.parse(r.body))?["access_token"]?.stringValue
    }

    /// The ARM URL of a gateway operation on the demo service.
    static func gatewayURL(_ sandbox: Sandbox, _ gateway: String, _ suffix: String = "", apiVersion: String = "2024-05-01") -> String {
        "\(sandbox.armEndpoint)/subscriptions/\(sandbox.azure.subscriptionID)/resourceGroups/\(sandbox.azure.resourceGroup)/providers/Microsoft.ApiManagement/service/\(sandbox.azure.serviceName)/gateways/\(gateway)\(suffix)?api-version=\(apiVersion)"
    }
}

// MARK: - PythonEnvironment

/// Creates `.venv-tests` at most once per test process.
actor PythonEnvironment {
    /// The one instance.
    static let shared = PythonEnvironment()

    private var attempted = false
    private var failure: String?

    /// The packages the fidelity tests import.
    static let packages = ["kubernetes", "azure-identity", "azure-mgmt-apimanagement"]

    /// The venv's Python, creating the venv and installing the packages first if needed; records an issue and
    /// returns nil on failure. (It never writes `.complete`, which `scripts/bootstrap` owns.)
    func python() async -> String? {
        let venv = TestSupport.packageRoot.appendingPathComponent(".venv-tests")
        let python = venv.appendingPathComponent("bin/python").path
        if !attempted {
            attempted = true
            failure = await Self.prepare(venv: venv.path, python: python)
        }
        if let failure {
            Issue.record("\(venv.path) is not usable and could not be made so (\(failure)); run ./scripts/bootstrap")
            return nil
        }
        return python
    }

    private static func prepare(venv: String, python: String) async -> String? {
        let imports = [python, "-c", "import kubernetes, azure.identity, azure.mgmt.apimanagement"]
        if FileManager.default.isExecutableFile(atPath: python), await TestSupport.run(imports).status == 0 { return nil }
        var env = ProcessInfo.processInfo.environment
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        if !FileManager.default.isExecutableFile(atPath: python) {
            let onPath = (env["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }
            guard let interpreter = onPath else { return "python3 is not on PATH" }
            let made = await TestSupport.run([interpreter, "-m", "venv", venv], timeout: 120)
            guard made.status == 0 else { return "python3 -m venv failed: \(made.stderr.suffix(500))" }
        }
        let pip = await TestSupport.run([python, "-m", "pip", "install", "-q"] + packages, environment: env, timeout: 600)
        guard pip.status == 0 else { return "pip install failed: \(pip.stderr.suffix(500))" }
        let check = await TestSupport.run(imports)
        return check.status == 0 ? nil : "the packages do not import: \(check.stderr.suffix(500))"
    }
}
