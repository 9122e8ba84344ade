import FoundationEssentials

// MARK: - ProcessRequest

/// A subprocess to run: argv only, never through a shell.
public struct ProcessRequest: Sendable {
    /// What the child's standard input is.
    public enum Input: Sendable {
        /// `/dev/null`.
        case none
        /// This process's own standard input (for interactive exec plugins).
        case inherit
        /// These bytes, then end of file.
        case data(Data)
    }

    /// What happens to the child's standard error.
    public enum ErrorOutput: Sendable {
        /// Captured into `ProcessResult.standardError`.
        case capture
        /// Passed through to this process's standard error (as kubectl does for exec plugins).
        case inherit
    }

    /// A command name looked up on `PATH`, or a path containing `/`.
    public var executable: String
    /// The arguments after `argv[0]`.
    public var arguments: [String]
    /// The child's complete environment.
    public var environment: [String: String]
    /// Standard input.
    public var input: Input
    /// Standard error handling.
    public var errorOutput: ErrorOutput
    /// The time limit; when it expires the child's whole process group is killed.
    public var timeout: Duration

    /// Creates a request.
    public init(
        executable: String,
        arguments: [String] = [],
        environment: [String: String],
        input: Input = .none,
        errorOutput: ErrorOutput = .capture,
        timeout: Duration
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.input = input
        self.errorOutput = errorOutput
        self.timeout = timeout
    }
}

// MARK: - ProcessResult

/// How a subprocess ended and what it wrote.
public struct ProcessResult: Sendable {
    /// The exit status, or 128 + signal number when a signal ended it.
    public var exitStatus: Int32
    /// Everything written to standard output.
    public var standardOutput: Data
    /// Everything written to standard error, when captured.
    public var standardError: Data

    /// Creates a result.
    public init(exitStatus: Int32, standardOutput: Data, standardError: Data = Data()) {
        self.exitStatus = exitStatus
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}

// MARK: - ProcessRunnerError

/// A subprocess that could not run to completion.
public enum ProcessRunnerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The executable was not found on `PATH` (or at the given path).
    case notFound(String)
    /// The executable exists but could not be started.
    case launchFailed(String, errno: Int32)
    /// The time limit expired; the process group was killed.
    case timedOut(String, Duration)
    /// The process printed more than the limit; it was killed.
    case outputTooLarge(String, limit: Int)

    public var description: String {
        switch self {
        case .notFound(let name): return "executable \"\(name)\" was not found in PATH"
        case .launchFailed(let name, let code): return "could not start \"\(name)\": \(systemErrorText(code))"
        case .timedOut(let name, let limit): return "\"\(name)\" did not finish within \(Int(limit.seconds))s and was killed"
        case .outputTooLarge(let name, let limit): return "\"\(name)\" printed more than \(limit >> 20) MiB and was killed"
        }
    }
}

// MARK: - ProcessRunner

/// Runs subprocesses (exec credential plugins, `az`). Injected so tests can fake it.
public protocol ProcessRunner: Sendable {
    /// Runs the request to completion or until its timeout.
    func run(_ request: ProcessRequest) async throws -> ProcessResult
}
