import APIMToken
import Foundation

/// The bytes libFuzzer hands to `LLVMFuzzerTestOneInput`, with the few ways the targets read them.
public struct FuzzInput: Sendable {
    /// The whole input.
    public let data: Data

    /// Copies `size` bytes at `pointer`.
    public init(_ pointer: UnsafeRawPointer, _ size: Int) {
        data = Data(bytes: pointer, count: size)
    }

    /// The input as text, invalid UTF-8 repaired (as a `String` from outside would be).
    public var text: String { String(decoding: data, as: UTF8.self) }

    /// The first byte (a selector), and the rest.
    public var selector: (UInt8, Data) {
        guard let first = data.first else { return (0, Data()) }
        return (first, data.dropFirst())
    }

    /// The input split at the first line `#~~~` (two kubeconfig files); the second is `nil` without one.
    public var twoParts: (Data, Data?) {
        let separator = Data("\n#~~~\n".utf8)
        guard let range = data.range(of: separator) else { return (data, nil) }
        return (data[..<range.lowerBound], data[range.upperBound...])
    }
}

/// Runs async code to completion from libFuzzer's synchronous callback, on the calling thread.
///
/// The task prefers `InlineExecutor`, whose jobs this thread runs itself (default actors follow the preference too),
/// so an input costs no thread hops: handing each input to the global pool and waiting on a semaphore made the
/// client targets wait on the scheduler (about 120 executions per second on a loaded machine). A job enqueued from
/// another thread (a continuation resumed elsewhere) is waited for.
///
/// It also waits until the task has released what it captured (the input): libFuzzer checks for leaks as soon as
/// the callback returns, and a task still tearing down would look like a leak.
public func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let executor = InlineExecutor()
    let box = ResultBox<T>()
    var sentinel: Sentinel? = Sentinel()
    weak let released = sentinel
    var task: Task<Void, Never>? = Task(executorPreference: executor) { [sentinel] in
        withExtendedLifetime(sentinel) {}
        box.value = await body()
        executor.finish()
    }
    sentinel = nil
    executor.runUntilFinished()
    task = nil
    _ = task
    while released != nil { sched_yield() }
    return box.value!
}

/// A task executor whose jobs run on the thread that calls `runUntilFinished`.
public final class InlineExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var finished = false

    public init() {}

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Marks the work done (called by the task's last job).
    public func finish() {
        condition.lock()
        finished = true
        condition.signal()
        condition.unlock()
    }

    /// Runs the jobs as they come until `finish`, then the jobs still queued (the task's own completion).
    public func runUntilFinished() {
        while true {
            condition.lock()
            while jobs.isEmpty && !finished { condition.wait() }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            let done = finished
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            if done && batch.isEmpty { return }
        }
    }
}

private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// Deallocated when the task's closure is.
private final class Sentinel: Sendable {}

/// A directory private to this fuzzing process, for targets that must read files (kubeconfig merging).
public let scratchDirectory: String = {
    let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
    let path = "\(base)/apimtoken-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

/// Writes `data` to `name` in the scratch directory and returns the path. Plain `open`/`write` (FileManager writes
/// atomically through a temporary file, which costs more than the parse); `scripts/fuzz` puts the directory on
/// /dev/shm.
public func scratchFile(_ name: String, _ data: Data) -> String {
    let path = "\(scratchDirectory)/\(name)"
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { fatalError("fuzz: cannot write \(path) (errno \(errno))") }
    defer { close(fd) }
    data.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                fatalError("fuzz: cannot write \(path) (errno \(errno))")
            }
            offset += written
        }
    }
    return path
}

/// A transport that answers every request with one canned response (the fuzzed body).
public struct CannedTransport: HTTPTransport {
    /// The response.
    public let response: HTTPResponse

    /// Creates the transport.
    public init(status: Int, body: Data, headers: HTTPHeaders = [:]) {
        response = HTTPResponse(status: status, headers: headers, body: body)
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse { response }
}

/// A transport whose one canned response is set for each input, so that a client (and its token cache) is built
/// once per process: a new token cache fetches its token in a task of its own, a thread hop per input.
/// libFuzzer runs one input at a time.
public final class SettableTransport: HTTPTransport, @unchecked Sendable {
    /// The response to the next requests.
    public var response = HTTPResponse(status: 200, headers: [:], body: Data())

    /// Creates the transport.
    public init() {}

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse { response }
}

/// A statuses a fuzzed response is given, picked by the input's first byte: success and the non-retried failures
/// (retried ones would only sleep).
public let cannedStatuses = [200, 200, 200, 201, 400, 401, 403, 404, 409, 410, 422]
