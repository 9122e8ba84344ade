import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import X509

/// An HTTP/1.1 server on 127.0.0.1 (an ephemeral port), optionally over TLS with optional client certificates.
///
/// Every request passes through fault injection and is written to the request log; the handler does the rest.
final class HTTPServer: Sendable {
    /// The request handler.
    typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    /// Which simulated service this is.
    let kind: SandboxServer
    /// The bound port on 127.0.0.1.
    let port: Int
    private let serverChannel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    private let acceptTask: Task<Void, Never>
    private let connections: ConnectionRegistry

    /// Starts a server on `port` (0: an ephemeral port). `tls` nil means plain HTTP.
    static func start(
        kind: SandboxServer, port: Int = 0, group: EventLoopGroup, tls: TLSConfiguration?, faults: FaultInjector, log: RequestLog,
        errorBody: @escaping @Sendable (Int, String) -> (String, [UInt8]), handler: @escaping Handler
    ) async throws -> HTTPServer {
        let sslContext = try tls.map { try NIOSSLContext(configuration: $0) }
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .bind(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        let boundPort = channel.channel.localAddress?.port ?? 0
        let isTLS = tls != nil
        let connections = ConnectionRegistry()
        let task = Task {
            await withDiscardingTaskGroup { group in
                do {
                    try await channel.executeThenClose { inbound in
                        for try await connection in inbound {
                            let id = connections.add(connection.channel)
                            group.addTask {
                                defer { connections.remove(id) }
                                await HTTPServer.serve(
                                    connection: connection, number: id, kind: kind, isTLS: isTLS, faults: faults, log: log,
                                    errorBody: errorBody, handler: handler)
                            }
                        }
                    }
                } catch {}
            }
        }
        return HTTPServer(kind: kind, port: boundPort, serverChannel: channel, acceptTask: task, connections: connections)
    }

    private init(
        kind: SandboxServer, port: Int,
        serverChannel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>,
        acceptTask: Task<Void, Never>, connections: ConnectionRegistry
    ) {
        self.kind = kind
        self.port = port
        self.serverChannel = serverChannel
        self.acceptTask = acceptTask
        self.connections = connections
    }

    /// Stops accepting connections, closes the listening socket and every open connection, and waits (at most two
    /// seconds) for the connection handlers to finish, so that nothing runs on the event loops after shutdown.
    func stop() async {
        try? await serverChannel.channel.close()
        for channel in connections.all() { try? await channel.close() }
        acceptTask.cancel()
        let task = acceptTask
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await task.value }
            group.addTask { try? await Task.sleep(nanoseconds: 2_000_000_000) }
            await group.next()
            group.cancelAll()
        }
    }

    // MARK: Connections

    private static func serve(
        connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, number: Int, kind: SandboxServer, isTLS: Bool,
        faults: FaultInjector, log: RequestLog, errorBody: @Sendable (Int, String) -> (String, [UInt8]), handler: Handler
    ) async {
        let channel = connection.channel
        _ = try? await connection.executeThenClose { inbound, outbound -> Void in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            var identity: CertificateIdentity?
            var identityChecked = false
            for try await part in inbound {
                switch part {
                case .head(let h):
                    head = h
                    body = []
                case .body(var buffer):
                    body.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
                case .end:
                    guard let h = head else { continue }
                    head = nil
                    if isTLS, !identityChecked {
                        identityChecked = true
                        identity = await peerIdentity(channel)
                    }
                    let (path, rawQuery, query) = HTTPRequest.split(uri: h.uri)
                    let request = HTTPRequest(
                        method: h.method.rawValue, path: path, rawQuery: rawQuery, query: query, headers: h.headers,
                        body: body, clientCertificate: identity)
                    var entry = RequestLogEntry(
                        time: RequestLog.timestamp(), server: kind, method: request.method, path: path,
                        query: kind == .entra ? "" : rawQuery, contentType: request.contentType, status: 0,
                        principal: nil, fault: nil, connection: number)
                    var response: HTTPResponse
                    if let fault = faults.take(server: kind, method: request.method, path: path) {
                        let applied = fault.afterApplying == true
                        // A lost response: the handler commits the request; only its answer is replaced.
                        let real: HTTPResponse? = applied ? await handler(request) : nil
                        let note = applied ? " after applying (\(real?.status ?? 0))" : ""
                        switch fault.action {
                        case .reset:
                            entry.fault = "reset" + note
                            log.append(entry)
                            if let provider = channel as? SocketOptionProvider {
                                try? await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
                            }
                            try? await channel.close()
                            return
                        case .hold:
                            entry.fault = "hold" + note
                            log.append(entry)
                            let deadline = Date().addingTimeInterval(120)
                            while channel.isActive, Date() < deadline {
                                try? await Task.sleep(nanoseconds: 20_000_000)
                            }
                            try? await channel.close()
                            return
                        case .latency(let seconds):
                            entry.fault = "latency \(seconds)s"
                            try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9))
                            response = if let real { real } else { await handler(request) }
                        case .respond(let status, let headers, let text):
                            entry.fault = "respond \(status)" + note
                            var (contentType, bytes) = errorBody(status, "injected fault")
                            if let text { bytes = Array(text.utf8) }
                            var responseHeaders = [("Content-Type", contentType)] + headers.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value) }
                            if kind == .arm, !headers.keys.contains(where: { $0.lowercased() == "x-ms-request-id" }) {
                                // Real ARM error responses, throttling included, carry request ids.
                                let id = UUID().uuidString.lowercased()
                                responseHeaders += [("x-ms-request-id", id), ("x-ms-correlation-request-id", request.header("x-ms-client-request-id") ?? id)]
                            }
                            response = HTTPResponse(status: status, headers: responseHeaders, body: bytes)
                        }
                    } else {
                        let started = ContinuousClock.now
                        response = await handler(request)
                        let spent = ContinuousClock.now - started
                        entry.milliseconds = Double(spent.components.seconds) * 1000 + Double(spent.components.attoseconds) / 1e15
                    }
                    entry.status = response.status
                    entry.principal = response.principal
                    log.append(entry)
                    try await write(response, to: outbound, keepAlive: h.isKeepAlive, isHead: h.method == .HEAD)
                    if !h.isKeepAlive { return }
                }
            }
        }
    }

    private static func write(
        _ response: HTTPResponse, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, keepAlive: Bool,
        isHead: Bool
    ) async throws {
        var headers = HTTPHeaders(response.headers)
        if !headers.contains(name: "Date") {
            headers.add(name: "Date", value: Fault.RetryAfter.httpDate(secondsFromNow: 0).header.1)
        }
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let status = HTTPResponseStatus(statusCode: response.status)
        switch response.body {
        case .bytes(let bytes):
            headers.replaceOrAdd(name: "Content-Length", value: String(bytes.count))
            try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)))
            if !bytes.isEmpty, !isHead { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes)))) }
            try await outbound.write(.end(nil))
        case .stream(let stream):
            headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
            try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)))
            for await chunk in stream {
                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk))))
            }
            try await outbound.write(.end(nil))
        }
    }

    private static func peerIdentity(_ channel: Channel) async -> CertificateIdentity? {
        guard let cert = try? await channel.nioSSL_peerCertificate().get(), let der = try? cert.toDERBytes(),
            let parsed = try? Certificate(derEncoded: der)
        else { return nil }
        var cn = ""
        var orgs: [String] = []
        for rdn in parsed.subject {
            for attribute in rdn {
                let value = String(describing: attribute.value)
                if attribute.type == .RDNAttributeType.commonName { cn = value }
                if attribute.type == .RDNAttributeType.organizationName { orgs.append(value) }
            }
        }
        return CertificateIdentity(commonName: cn, organizations: orgs)
    }
}

// MARK: - ConnectionRegistry

/// The open connections of one server, so that ``HTTPServer/stop()`` can close them.
///
/// `@unchecked Sendable`: the dictionary is only touched under `lock`.
private final class ConnectionRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var channels: [Int: any Channel] = [:]

    /// Registers a connection; returns its key.
    func add(_ channel: any Channel) -> Int {
        lock.withLock {
            next += 1
            channels[next] = channel
            return next
        }
    }

    /// Forgets a closed connection.
    func remove(_ id: Int) { lock.withLock { _ = channels.removeValue(forKey: id) } }

    /// Every open connection.
    func all() -> [any Channel] { lock.withLock { Array(channels.values) } }
}
