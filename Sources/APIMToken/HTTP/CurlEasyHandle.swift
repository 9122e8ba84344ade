import CCurl
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// MARK: - CurlEasyHandle

/// Owns one `CURL*` easy handle and frees it in `deinit`. All libcurl calls of the package go through here
/// and `CurlTransport`. A handle is used by one request at a time; between requests `reset()` clears its
/// options while keeping its connection cache, so connections (and TLS sessions) are reused.
final class CurlEasyHandle {
    /// The raw handle.
    let raw: UnsafeMutableRawPointer
    /// The share this handle uses, kept alive until the handle is cleaned up.
    var share: CurlShare?

    /// Creates a handle; fails only when libcurl cannot allocate one.
    init() throws {
        CurlGlobal.initialize()
        guard let handle = curl_easy_init() else {
            throw TransportError(kind: .other, host: "", message: "libcurl could not create a handle")
        }
        raw = handle
    }

    deinit {
        curl_easy_cleanup(raw)
        _ = share  // released after the handle is gone
    }

    /// Clears every option, keeping live connections for reuse.
    func reset() { curl_easy_reset(raw) }

    /// Sets a `long` option.
    func set(_ option: CURLoption, _ value: Int) throws {
        try check(apim_setopt_long(raw, option, value), option)
    }

    /// Sets a string option (libcurl copies strings it is given).
    func set(_ option: CURLoption, _ value: String) throws {
        try check(value.withCString { apim_setopt_string(raw, option, $0) }, option)
    }

    /// Sets a blob option (libcurl keeps its own copy).
    func set(_ option: CURLoption, blob: Data) throws {
        try check(blob.withUnsafeBytes { apim_setopt_blob(raw, option, $0.baseAddress, $0.count) }, option)
    }

    /// Sets the request body; libcurl copies it (`CURLOPT_COPYPOSTFIELDS` after the size).
    func setBody(_ body: Data) throws {
        try check(apim_setopt_off(raw, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)), CURLOPT_POSTFIELDSIZE_LARGE)
        if body.isEmpty {
            try check(apim_setopt_string(raw, CURLOPT_COPYPOSTFIELDS, ""), CURLOPT_COPYPOSTFIELDS)
        } else {
            try check(
                body.withUnsafeBytes { apim_setopt_pointer(raw, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress)) },
                CURLOPT_COPYPOSTFIELDS)
        }
    }

    /// Reads the final response status.
    func responseCode() -> Int {
        var code = 0
        _ = apim_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws {
        guard code != CURLE_OK else { return }
        let reason = String(cString: curl_easy_strerror(code))
        throw TransportError(
            kind: .configuration, host: "",
            message: "libcurl refused option \(option.rawValue): \(reason) (libcurl \(CurlGlobal.version) needs the OpenSSL flavour ≥ 7.77)",
            curlCode: Int(code.rawValue))
    }
}

// MARK: - CurlGlobal

/// One-time, thread-safe global initialisation of libcurl.
enum CurlGlobal {
    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_ALL))
        return true
    }()

    /// Runs `curl_global_init` once.
    static func initialize() { _ = initialized }

    /// The libcurl version string, e.g. `libcurl/7.88.1 OpenSSL/3.0.19 …`.
    static var version: String { String(cString: curl_version()) }
}

// MARK: - CurlShare

/// One TLS session cache and DNS cache for every handle of a transport: a second connection to a server resumes
/// the first one's TLS session instead of a full handshake. Connections themselves stay per handle: libcurl does not
/// support sharing its connection cache between threads that transfer at the same time.
final class CurlShare: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
    /// One mutex per `curl_lock_data` value, handed to libcurl's lock callbacks.
    private let mutexes: UnsafeMutablePointer<pthread_mutex_t>
    private static let mutexCount = Int(CURL_LOCK_DATA_LAST.rawValue) + 1

    init?() {
        CurlGlobal.initialize()
        guard let share = curl_share_init() else { return nil }
        raw = share
        mutexes = .allocate(capacity: Self.mutexCount)
        for index in 0..<Self.mutexCount { pthread_mutex_init(mutexes + index, nil) }
        let configured =
            apim_share_lock_functions(
                share,
                { _, data, _, user in
                    pthread_mutex_lock(user!.assumingMemoryBound(to: pthread_mutex_t.self) + Int(data.rawValue))
                },
                { _, data, user in
                    pthread_mutex_unlock(user!.assumingMemoryBound(to: pthread_mutex_t.self) + Int(data.rawValue))
                }, UnsafeMutableRawPointer(mutexes)) == CURLSHE_OK
            && apim_share_data(share, CURL_LOCK_DATA_SSL_SESSION) == CURLSHE_OK
            && apim_share_data(share, CURL_LOCK_DATA_DNS) == CURLSHE_OK
        guard configured else {
            curl_share_cleanup(share)
            for index in 0..<Self.mutexCount { pthread_mutex_destroy(mutexes + index) }
            mutexes.deallocate()
            return nil
        }
    }

    deinit {
        curl_share_cleanup(raw)
        for index in 0..<Self.mutexCount { pthread_mutex_destroy(mutexes + index) }
        mutexes.deallocate()
    }
}

// MARK: - CurlHandlePool

/// Idle easy handles kept for reuse, so consecutive requests to one server share connections. Every handle uses the
/// pool's `CurlShare`; the handles hold it, so it outlives them.
final class CurlHandlePool: @unchecked Sendable {
    // Guarded by `lock`.
    private var idle: [CurlEasyHandle] = []
    private let lock = Lock()
    private let capacity: Int
    private let share = CurlShare()

    /// Creates a pool that keeps at most `capacity` idle handles: as many as `status` runs requests at once.
    init(capacity: Int = 8) { self.capacity = capacity }

    /// Takes an idle handle or makes a new one, attached to the shared TLS session cache.
    func take() throws -> CurlEasyHandle {
        let handle: CurlEasyHandle
        if let idle = lock.withLock({ idle.popLast() }) {
            idle.reset()
            handle = idle
        } else {
            handle = try CurlEasyHandle()
        }
        if let share {
            handle.share = share
            _ = apim_setopt_share(handle.raw, share.raw)
        }
        return handle
    }

    /// Returns a handle after a request; extra handles are freed.
    func give(_ handle: CurlEasyHandle) {
        lock.withLock {
            if idle.count < capacity { idle.append(handle) }
        }
    }
}
