import CCurl
import Dispatch
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs subprocesses with `posix_spawn`: argv only, no shell, each child in its own process group
/// so that a timeout kills everything it started. The blocking work runs on a dedicated thread,
/// never on Swift's cooperative pool.
public struct POSIXProcessRunner: ProcessRunner {
    /// The groups of running children, so that a signal to this process can end them too.
    public let children: ChildProcessGroups
    /// The most a child may print on stdout or stderr; more is an error, so a runaway plugin cannot exhaust memory.
    public static let maximumOutputBytes = 1 << 20

    /// Creates the runner.
    public init(children: ChildProcessGroups = ChildProcessGroups()) { self.children = children }

    public func run(_ request: ProcessRequest) async throws -> ProcessResult {
        let children = children
        return try await withCheckedThrowingContinuation { continuation in
            // A blocking wait on a thread of its own: not a cooperative thread, and not a dispatch worker either
            // (libdispatch on Linux adds workers for blocked ones only after a delay).
            detachThread {
                continuation.resume(with: Result { try Self.runBlocking(request, children: children) })
            }
        }
    }

    /// Finds `name` the way `execvp` would: a name with a slash is used as is, otherwise each `PATH` entry is tried.
    public static func resolve(_ name: String, path: String?) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let entries = (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false)
        for entry in entries {
            let directory = entry.isEmpty ? "." : String(entry)
            let candidate = directory + "/" + name
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    // MARK: - Blocking implementation

    private static func runBlocking(_ request: ProcessRequest, children: ChildProcessGroups) throws -> ProcessResult {
        let lookupPath = request.environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"]
        guard let path = resolve(request.executable, path: lookupPath) else {
            throw ProcessRunnerError.notFound(request.executable)
        }
        // An interactive child reading the terminal must stay in the terminal's foreground process group.
        let interactive: Bool
        if case .inherit = request.input, isatty(STDIN_FILENO) == 1 { interactive = true } else { interactive = false }

        var stdoutPipe: [Int32] = [-1, -1]
        var stderrPipe: [Int32] = [-1, -1]
        var stdinPipe: [Int32] = [-1, -1]
        guard apim_pipe_cloexec(&stdoutPipe) == 0 else { throw ProcessRunnerError.launchFailed(request.executable, errno: errno) }
        let captureStderr: Bool
        if case .capture = request.errorOutput { captureStderr = true } else { captureStderr = false }
        if captureStderr, apim_pipe_cloexec(&stderrPipe) != 0 {
            throw ProcessRunnerError.launchFailed(request.executable, errno: errno)
        }
        var inputData: Data?
        if case .data(let data) = request.input {
            inputData = data
            guard apim_pipe_cloexec(&stdinPipe) == 0 else { throw ProcessRunnerError.launchFailed(request.executable, errno: errno) }
        }
        defer {
            for fd in [stdoutPipe[0], stderrPipe[0], stdinPipe[1]] where fd >= 0 { close(fd) }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        switch request.input {
        case .none: posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        case .inherit: break
        case .data:
            posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], STDIN_FILENO)
            posix_spawn_file_actions_addclose(&actions, stdinPipe[1])
        }
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], STDOUT_FILENO)
        posix_spawn_file_actions_addclose(&actions, stdoutPipe[0])
        if captureStderr {
            posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], STDERR_FILENO)
            posix_spawn_file_actions_addclose(&actions, stderrPipe[0])
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var flags = Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if !interactive {
            flags |= Int16(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        sigaddset(&defaultSignals, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setflags(&attributes, flags)

        let argv = ([request.executable] + request.arguments).map { strdup($0) } + [nil]
        let envp = request.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }

        var pid: pid_t = 0
        let spawnResult = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        close(stdoutPipe[1])
        stdoutPipe[1] = -1
        if captureStderr {
            close(stderrPipe[1])
            stderrPipe[1] = -1
        }
        if inputData != nil {
            close(stdinPipe[0])
            stdinPipe[0] = -1
        }
        guard spawnResult == 0 else { throw ProcessRunnerError.launchFailed(request.executable, errno: spawnResult) }
        if !interactive { children.add(pid) }
        defer { if !interactive { children.remove(pid) } }

        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, request.timeout.seconds) * 1e9)
        let killTarget = interactive ? pid : -pid

        var stdoutData = Data()
        var stderrData = Data()
        var pending = inputData.map { [UInt8]($0) } ?? []
        var writeFD = stdinPipe[1]
        if writeFD >= 0 {
            _ = fcntl(writeFD, F_SETFL, fcntl(writeFD, F_GETFL) | O_NONBLOCK)
            if pending.isEmpty {
                close(writeFD)
                writeFD = -1
                stdinPipe[1] = -1
            }
        }
        var readFDs = [stdoutPipe[0]] + (captureStderr ? [stderrPipe[0]] : [])
        var buffer = [UInt8](repeating: 0, count: 65_536)

        while !readFDs.isEmpty || writeFD >= 0 {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else {
                kill(killTarget, SIGKILL)
                var status: Int32 = 0
                waitpid(pid, &status, 0)
                throw ProcessRunnerError.timedOut(request.executable, request.timeout)
            }
            var pollFDs = readFDs.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if writeFD >= 0 { pollFDs.append(pollfd(fd: writeFD, events: Int16(POLLOUT), revents: 0)) }
            let waitMillis = Int32(min(UInt64(Int32.max), (deadline - now) / 1_000_000 + 1))
            let ready = poll(&pollFDs, nfds_t(pollFDs.count), waitMillis)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for entry in pollFDs where entry.revents != 0 {
                if entry.fd == writeFD {
                    let written = pending.withUnsafeBytes { write(writeFD, $0.baseAddress, $0.count) }
                    if written > 0 { pending.removeFirst(written) }
                    if written < 0 && errno != EAGAIN && errno != EINTR || pending.isEmpty {
                        close(writeFD)
                        writeFD = -1
                        stdinPipe[1] = -1
                    }
                    continue
                }
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    if entry.fd == stdoutPipe[0] { stdoutData.append(contentsOf: buffer[0..<count]) } else { stderrData.append(contentsOf: buffer[0..<count]) }
                    if stdoutData.count > maximumOutputBytes || stderrData.count > maximumOutputBytes {
                        kill(killTarget, SIGKILL)
                        var status: Int32 = 0
                        waitpid(pid, &status, 0)
                        throw ProcessRunnerError.outputTooLarge(request.executable, limit: maximumOutputBytes)
                    }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    readFDs.removeAll { $0 == entry.fd }
                }
            }
        }

        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result < 0 && errno != EINTR { break }
            if DispatchTime.now().uptimeNanoseconds >= deadline {
                kill(killTarget, SIGKILL)
                waitpid(pid, &status, 0)
                throw ProcessRunnerError.timedOut(request.executable, request.timeout)
            }
            usleep(2_000)
        }
        let signal = status & 0x7f
        let exitStatus: Int32 = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return ProcessResult(exitStatus: exitStatus, standardOutput: stdoutData, standardError: stderrData)
    }
}
