import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs an exec credential plugin and caches what it returns (client-go `exec.Authenticator`).
///
/// - The plugin runs through the injected `ProcessRunner`: argv only, never a shell, with a timeout that
///   kills its process group. Its environment is this process's plus the stanza's `env` plus
///   `KUBERNETES_EXEC_INFO`. Its standard error passes through to ours; standard input is connected only
///   when the plugin runs interactively. An interactive plugin gets the longer `interactiveTimeout` and stays in
///   the terminal's foreground process group (so that it may prompt without SIGTTIN); at its time limit only the
///   plugin itself is killed. A non-interactive plugin runs in its own process group, killed as a whole.
/// - The credential is reused until `expirationTimestamp` (by the injected clock); concurrent callers share
///   one plugin run.
/// - After a 401, `refresh(after:)` runs the plugin again unless someone already did.
/// - A client certificate returned by the plugin is surfaced by `effectiveTLS(base:)`: the API client calls it
///   before building its transport so that the certificate and key go to libcurl.
public actor ExecCredentialProvider {
    /// The default time limit for a plugin that runs without the terminal.
    public static let defaultTimeout: Duration = .seconds(60)
    /// The default time limit for a plugin that runs interactively (a person may be completing a login).
    public static let defaultInteractiveTimeout: Duration = .seconds(300)

    /// Identifies one plugin result, so that a 401 re-runs the plugin only once however many requests saw it.
    public struct Generation: Sendable, Equatable {
        let value: Int
    }

    private let config: ExecConfig
    private let cluster: ClusterConnection?
    private let runner: any ProcessRunner
    private let clock: any WallClock
    private let environment: Environment
    private let timeout: Duration
    private let interactiveTimeout: Duration
    private let stdinIsTerminal: Bool
    private let errorOutput: ProcessRequest.ErrorOutput

    private var cached: (credential: ExecCredential, generation: Generation)?
    private var inFlight: Task<ExecCredential, any Error>?
    private var nextGeneration = 1
    private var runCount = 0

    /// Creates a provider for `config`. `cluster` supplies `spec.cluster` when `provideClusterInfo` is set.
    ///
    /// - Parameters:
    ///   - timeout: the time limit of a non-interactive run; the plugin's process group is killed when it expires.
    ///   - interactiveTimeout: the time limit when the plugin runs interactively (standard input connected).
    ///   - stdinIsTerminal: whether standard input is a terminal (decides `IfAvailable` and `Always`).
    ///   - errorOutput: where the plugin's standard error goes (`.inherit`, as kubectl does).
    public init(
        config: ExecConfig,
        cluster: ClusterConnection?,
        runner: any ProcessRunner,
        clock: any WallClock,
        environment: Environment,
        timeout: Duration = ExecCredentialProvider.defaultTimeout,
        interactiveTimeout: Duration = ExecCredentialProvider.defaultInteractiveTimeout,
        stdinIsTerminal: Bool = isatty(STDIN_FILENO) == 1,
        errorOutput: ProcessRequest.ErrorOutput = .inherit
    ) {
        self.config = config
        self.cluster = cluster
        self.runner = runner
        self.clock = clock
        self.environment = environment
        self.timeout = timeout
        self.interactiveTimeout = interactiveTimeout
        self.stdinIsTerminal = stdinIsTerminal
        self.errorOutput = errorOutput
    }

    /// How many times the plugin has been started (for tests and `-v` output).
    public var pluginRuns: Int { runCount }

    /// The current credential, running the plugin when there is none or it has expired.
    public func credential() async throws -> (credential: ExecCredential, generation: Generation) {
        if let cached, !cached.credential.isExpired(at: clock.now()) { return cached }
        return try await runShared()
    }

    /// Drops `generation`'s credential and runs the plugin again, unless a newer credential already exists
    /// (client-go `maybeRefreshCreds`).
    public func refresh(after generation: Generation) async throws -> (credential: ExecCredential, generation: Generation) {
        if let cached, cached.generation != generation, !cached.credential.isExpired(at: clock.now()) { return cached }
        cached = nil
        return try await runShared()
    }

    /// `base` with the plugin's client certificate and key when it returned them (running it if needed);
    /// `base` unchanged when the plugin returns only tokens.
    public func effectiveTLS(base: TLSMaterial) async throws -> TLSMaterial {
        let (credential, _) = try await credential()
        guard let certificate = credential.clientCertificateData, let key = credential.clientKeyData else { return base }
        var tls = base
        tls.clientCertificate = .data(certificate)
        tls.clientKey = .data(key.value)
        return tls
    }

    // MARK: - Running the plugin

    private func runShared() async throws -> (credential: ExecCredential, generation: Generation) {
        let task: Task<ExecCredential, any Error>
        if let inFlight {
            task = inFlight
        } else {
            let request = try makeRequest()
            let runner = self.runner
            let config = self.config
            runCount += 1
            task = Task { try await Self.run(request, runner: runner, config: config, timeout: request.timeout) }
            inFlight = task
        }
        do {
            let credential = try await task.value
            if inFlight == task {
                inFlight = nil
                cached = (credential, Generation(value: nextGeneration))
                nextGeneration += 1
            }
            if let cached { return cached }
            return (credential, Generation(value: 0))
        } catch {
            if inFlight == task { inFlight = nil }
            throw error
        }
    }

    private func makeRequest() throws -> ProcessRequest {
        let interactive: Bool
        switch config.effectiveInteractiveMode {
        case "Never"?: interactive = false
        case "IfAvailable"?: interactive = stdinIsTerminal
        case "Always"?:
            guard stdinIsTerminal else {
                throw ExecCredentialError(
                    "exec plugin cannot support interactive mode: standard input is not a terminal",
                    remedy: "Run the command from a terminal, or log in first so that \(config.command) need not prompt.")
            }
            interactive = true
        case nil:
            throw ExecCredentialError("interactiveMode must be specified for \(config.userName ?? "the user") to use exec authentication plugin")
        case let other?:
            throw ExecCredentialError("exec plugin cannot support interactive mode: unknown interactiveMode: \"\(other)\"")
        }
        var env = environment.values
        for variable in config.env { env[variable.name] = variable.value }
        env["KUBERNETES_EXEC_INFO"] = try execInfo(interactive: interactive)
        return ProcessRequest(
            executable: config.command, arguments: config.args, environment: env,
            input: interactive ? .inherit : .none, errorOutput: errorOutput,
            timeout: interactive ? interactiveTimeout : timeout)
    }

    /// The `KUBERNETES_EXEC_INFO` document (an `ExecCredential` with only `spec`).
    func execInfo(interactive: Bool) throws -> String {
        var spec: [String: JSONValue] = ["interactive": .bool(interactive)]
        if config.provideClusterInfo, let cluster {
            var info: [String: JSONValue] = ["server": .string(cluster.server.absoluteString)]
            if let name = cluster.tls.serverName { info["tls-server-name"] = .string(name) }
            if cluster.tls.insecureSkipVerify { info["insecure-skip-tls-verify"] = true }
            switch cluster.tls.certificateAuthority {
            case .data(let data)?: info["certificate-authority-data"] = .string(data.base64EncodedString())
            case .file(let path)?:
                if let data = FileManager.default.contents(atPath: path) { info["certificate-authority-data"] = .string(data.base64EncodedString()) }
            case nil: break
            }
            if case .url(let proxy) = cluster.proxy { info["proxy-url"] = .string(proxy) }
            if let json = config.clusterConfig, let object = JSONValue.parse(Data(json.utf8)) {
                info["config"] = object
            }
            spec["cluster"] = .object(info)
        }
        let document: JSONValue = ["apiVersion": .string(config.apiVersion), "kind": "ExecCredential", "spec": .object(spec)]
        return String(decoding: document.encoded, as: UTF8.self)
    }

    private static func run(_ request: ProcessRequest, runner: any ProcessRunner, config: ExecConfig, timeout: Duration) async throws -> ExecCredential {
        let result: ProcessResult
        do {
            result = try await runner.run(request)
        } catch ProcessRunnerError.notFound {
            var message =
                "exec: executable \(config.command) not found\n\n"
                + "It looks like you are trying to use a client-go credential plugin that is not installed.\n\n"
                + "To learn more about this feature, consult the documentation available at:\n"
                + "      https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins"
            if let hint = config.installHint { message += "\n\n" + cleanControlCharacters(hint) }
            throw ExecCredentialError(message, remedy: "Install \(config.command) and make sure it is on PATH.")
        } catch ProcessRunnerError.timedOut {
            throw ExecCredentialError(
                "exec: executable \(config.command) did not finish within \(Self.format(timeout)) and was killed",
                remedy: "Run \(config.command) by hand to see why it hangs (a login prompt with no terminal?).")
        } catch let error as ProcessRunnerError {
            throw ExecCredentialError("exec: \(error)")
        }
        guard result.exitStatus == 0 else {
            throw ExecCredentialError(
                "exec: executable \(config.command) failed with exit code \(result.exitStatus)",
                remedy: "Its own error output (above) says why; run it by hand to check the login.")
        }
        return try ExecCredential.parse(result.standardOutput, expectedAPIVersion: config.apiVersion)
    }

    /// `60s`, `0.5s`.
    static func format(_ duration: Duration) -> String {
        let seconds = duration.seconds
        return seconds == seconds.rounded() ? "\(Int(seconds))s" : "\((seconds * 10).rounded() / 10)s"
    }

    /// client-go `cleanANSIEscapeCodes`: control characters other than whitespace are shown as `U+001B`.
    static func cleanControlCharacters(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.generalCategory == .control && !(0x09...0x0D).contains(scalar.value) {
                out += "U+" + scalar.value.hex(width: 4, uppercase: true)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
