import Foundation

/// A throwaway CA with a server certificate (127.0.0.1, localhost, apiserver.test) and a client
/// certificate, made with the `openssl` command in a temporary directory.
struct TestPKI {
    let directory: URL
    var caCert: URL { directory.appendingPathComponent("ca.crt") }
    var serverCert: URL { directory.appendingPathComponent("server.crt") }
    var serverKey: URL { directory.appendingPathComponent("server.key") }
    var clientCert: URL { directory.appendingPathComponent("client.crt") }
    var clientKey: URL { directory.appendingPathComponent("client.key") }
    /// A CA that signed nothing the server presents.
    var otherCACert: URL { directory.appendingPathComponent("other-ca.crt") }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("apimtoken-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let d = directory.path
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try Self.openssl(["req", "-x509"] + ec + ["-keyout", "\(d)/ca.key", "-out", "\(d)/ca.crt", "-days", "2", "-subj", "/CN=apimtoken-test-ca"])
        try Self.openssl(["req", "-x509"] + ec + ["-keyout", "\(d)/other-ca.key", "-out", "\(d)/other-ca.crt", "-days", "2", "-subj", "/CN=some-other-ca"])
        try "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:apiserver.test\nextendedKeyUsage=serverAuth\n"
            .write(toFile: "\(d)/server.ext", atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\n".write(toFile: "\(d)/client.ext", atomically: true, encoding: .utf8)
        for (name, subject) in [("server", "/CN=127.0.0.1"), ("client", "/CN=admin/O=system:masters")] {
            try Self.openssl(["req"] + ec + ["-keyout", "\(d)/\(name).key", "-out", "\(d)/\(name).csr", "-subj", subject])
            try Self.openssl([
                "x509", "-req", "-in", "\(d)/\(name).csr", "-CA", "\(d)/ca.crt", "-CAkey", "\(d)/ca.key",
                "-CAcreateserial", "-out", "\(d)/\(name).crt", "-days", "2", "-extfile", "\(d)/\(name).ext",
            ])
        }
    }

    func data(_ url: URL) throws -> Data { try Data(contentsOf: url) }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    private static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(
                domain: "TestPKI", code: Int(process.terminationStatus),
                userInfo: [NSLocalizedDescriptionKey: "openssl \(arguments.joined(separator: " ")) failed"])
        }
    }
}

/// The Python HTTPS echo server (client certificates required) and CONNECT proxy from `tls_echo_server.py`.
final class EchoServer {
    let process = Process()
    private let input = Pipe()
    let tlsPort: Int
    let proxyPort: Int

    init(pki: TestPKI) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("tls_echo_server.py")
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, pki.caCert.path, pki.serverCert.path, pki.serverKey.path]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let ports = try JSONSerialization.jsonObject(with: line) as? [String: Int] ?? [:]
        guard let tls = ports["tls"], let proxy = ports["proxy"] else {
            process.terminate()
            throw NSError(domain: "EchoServer", code: 1, userInfo: [NSLocalizedDescriptionKey: "echo server did not start"])
        }
        tlsPort = tls
        proxyPort = proxy
    }

    func url(_ path: String, host: String = "127.0.0.1") -> URL { URL(string: "https://\(host):\(tlsPort)\(path)")! }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }
}
