import APIMTokenSandbox
import Foundation
import Testing

/// The runtime image, built by `scripts/image` and run for real: the sandbox runs the CronJob's pod in the image's
/// root filesystem (read-only, UID 65532, no HOME, /proc mounted, the pod's files where Kubernetes puts them), so a
/// missing CA bundle, library or permission fails here rather than in a customer's cluster.
///
/// `scripts/test` builds the archive and passes it as `APIMTOKEN_IMAGE_ARCHIVE`. Without it these tests fail and
/// say how to get one: they never build an image themselves (minutes of release build) and never skip silently.
@Suite(.serialized) struct ImageEndToEndTests {
    static let archiveVariable = "APIMTOKEN_IMAGE_ARCHIVE"

    /// The archive, unpacked once per test process.
    static let unpacked: Result<JobImage, E2EError> = {
        guard let archive = ProcessInfo.processInfo.environment[archiveVariable], !archive.isEmpty else {
            return .failure(
                E2EError(
                    "\(archiveVariable) is not set: run ./scripts/test, or scripts/image and then \(archiveVariable)=dist/kubectl-apimtoken-image_v…_linux_amd64.oci.tar swift test --filter ImageEndToEnd"
                ))
        }
        do {
            // One fixed place, replaced on every run, so that runs do not pile up 140 MB roots in /tmp.
            return .success(try JobImage.unpack(archive: archive, into: E2E.packageRoot.appendingPathComponent(".build/image-test")))
        } catch {
            return .failure(E2EError("\(error)"))
        }
    }()

    /// The unpacked image; throws (failing the test with the reason) when there is none.
    static func image() throws -> JobImage {
        try unpacked.get()
    }

    /// The packages in `image/packages` (comments and blank lines dropped).
    static var packages: Set<String> {
        let text = (try? String(contentsOf: E2E.packageRoot.appendingPathComponent("image/packages"), encoding: .utf8)) ?? ""
        return Set(
            text.split(separator: "\n").compactMap { line in
                let name = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?.trimmingCharacters(in: .whitespaces) ?? ""
                return name.isEmpty ? nil : name
            })
    }

    // MARK: - The archive

    @Test func theImageHoldsThePackagesTheUserAndTheCABundle() throws {
        let image = try Self.image()
        let fm = FileManager.default
        #expect(image.user == "65532:65532")
        #expect(image.entrypoint == ["/usr/local/bin/kubectl-apimtoken"])
        #expect(image.cmd == ["rotate"])
        #expect(image.environment["HOME"] == nil)
        #expect(image.labels["org.opencontainers.image.source"] == "https://github.com/kubectl-apimtoken/kubectl-apimtoken")
        let version = try String(contentsOf: E2E.packageRoot.appendingPathComponent("Sources/APIMToken/Version.swift"), encoding: .utf8)
        #expect(version.contains("\"\(image.labels["org.opencontainers.image.version"] ?? "-")\""))
        #expect((image.labels["org.opencontainers.image.revision"] ?? "").range(of: "^[0-9a-f]{40}(-dirty)?$", options: .regularExpression) != nil)

        let installed = Set((try? fm.contentsOfDirectory(atPath: image.root.appendingPathComponent("var/lib/dpkg/status.d").path)) ?? [])
        #expect(!Self.packages.isEmpty)
        #expect(installed == Self.packages, "image/packages and the image's dpkg status.d differ")

        let passwd = try String(contentsOf: image.root.appendingPathComponent("etc/passwd"), encoding: .utf8)
        #expect(passwd.contains("nonroot:x:65532:65532:"))
        let group = try String(contentsOf: image.root.appendingPathComponent("etc/group"), encoding: .utf8)
        #expect(group.contains("nonroot:x:65532:"))

        // The system bundle libcurl reads by default; the Jobs below trust the sandbox only through it.
        let bundle = (try? String(contentsOf: image.root.appendingPathComponent("etc/ssl/certs/ca-certificates.crt"), encoding: .utf8)) ?? ""
        #expect(bundle.components(separatedBy: "-----BEGIN CERTIFICATE-----").count - 1 >= 100, "the image's CA bundle is missing or nearly empty")
        #expect(fm.fileExists(atPath: image.root.appendingPathComponent("usr/share/zoneinfo/Europe/Berlin").path), "tzdata missing")
        let binary = image.root.appendingPathComponent("usr/local/bin/kubectl-apimtoken").path
        #expect(fm.isExecutableFile(atPath: binary))
    }

    /// The Dockerfile and scripts/image build the same image: the same runtime packages, user, entrypoint and labels.
    @Test func theDockerfileAgreesWithTheImageScript() throws {
        let image = try Self.image()
        let dockerfile = try String(contentsOf: E2E.packageRoot.appendingPathComponent("Dockerfile"), encoding: .utf8)
        // Joined continuation lines, from the last FROM (the runtime stage) on.
        let lines = dockerfile.replacingOccurrences(of: "\\\n", with: " ").split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let runtime = Array(lines[(lines.lastIndex { $0.hasPrefix("FROM ") } ?? 0)...])

        let installs = runtime.filter { $0.hasPrefix("RUN ") && $0.contains("apt-get install") }
        #expect(installs.count == 1, "the runtime stage installs its packages in one apt-get install")
        let words =
            installs.first?.components(separatedBy: "apt-get install").last?.components(separatedBy: "&&").first?
            .split(separator: " ").map(String.init) ?? []
        #expect(Set(words.filter { !$0.hasPrefix("-") }) == Self.packages, "the Dockerfile's runtime packages differ from image/packages")

        #expect(runtime.contains("USER \(image.user ?? "-")"))
        let quoted = { (values: [String]) in "[" + values.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
        #expect(runtime.contains("ENTRYPOINT \(quoted(image.entrypoint))"))
        #expect(runtime.contains("CMD \(quoted(image.cmd))"))
        for key in ["version", "revision", "source"] {
            let label = "org.opencontainers.image.\(key)"
            #expect(image.labels[label] != nil)
            #expect(runtime.contains { $0.hasPrefix("LABEL ") && $0.contains(label + "=") }, "the Dockerfile sets no \(label)")
        }
        #expect(runtime.contains("ARG VERSION=\(image.labels["org.opencontainers.image.version"] ?? "-")"), "the Dockerfile's default VERSION is stale")
        #expect(runtime.contains { $0.contains("org.opencontainers.image.source=\(image.labels["org.opencontainers.image.source"] ?? "-")") })
    }

    /// An independent reader agrees: skopeo (what pushes it with no daemon) finds the tag, the config and the layer,
    /// and copies the image (checking every digest) into a docker-archive, the format `docker load` has always read.
    @Test func skopeoReadsAndCopiesTheArchive() async throws {
        let image = try Self.image()
        let archive = try #require(ProcessInfo.processInfo.environment[Self.archiveVariable])
        let skopeo = try #require(
            ["/usr/bin/skopeo", "/usr/local/bin/skopeo"].first(where: FileManager.default.isExecutableFile(atPath:)),
            "skopeo is missing: scripts/bootstrap installs it (apt-get install skopeo)")
        let reference = "oci-archive:\(archive):\(image.labels["org.opencontainers.image.version"] ?? "-")"
        let environment = ["PATH": "/usr/bin:/bin", "HOME": E2E.freshDirectory("skopeo-home")]
        let config = await E2E.run([skopeo, "inspect", "--config", reference], environment: environment)
        #expect(config.status == 0, "\(config)")
        let settings = config.json["config"] as? [String: Any] ?? [:]
        #expect(settings["User"] as? String == "65532:65532")
        #expect(settings["Entrypoint"] as? [String] == image.entrypoint)
        #expect(settings["Cmd"] as? [String] == image.cmd)
        let output = E2E.freshDirectory("skopeo-copy")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let copy = await E2E.run(
            [skopeo, "copy", "-q", reference, "docker-archive:\(output)/image.tar:ghcr.io/kubectl-apimtoken/kubectl-apimtoken:test"],
            environment: environment, timeout: 300)
        #expect(copy.status == 0, "\(copy)")
    }

    /// Two builds of one commit give the same layer: scripts/image again, from the binary in the image (stripping
    /// is idempotent) and the cached .deb files, must reproduce the archive's manifest, config and layer digests.
    @Test func aSecondBuildOfThisCommitGivesTheSameDigests() async throws {
        let image = try Self.image()
        let archive = try #require(ProcessInfo.processInfo.environment[Self.archiveVariable])
        let output = E2E.freshDirectory("image-again")
        defer { try? FileManager.default.removeItem(atPath: output) }
        var environment = ProcessInfo.processInfo.environment
        environment["SOURCE_DATE_EPOCH"] = nil
        let run = await E2E.run(
            [
                E2E.packageRoot.appendingPathComponent("scripts/image").path, "--binary",
                image.root.appendingPathComponent("usr/local/bin/kubectl-apimtoken").path,
                "--output", output,
            ], environment: environment, timeout: 600)
        #expect(run.status == 0, "\(run)")
        let rebuilt = try #require(try FileManager.default.contentsOfDirectory(atPath: output).first { $0.hasSuffix(".oci.tar") })
        let first = await E2E.run(["/bin/tar", "-xOf", archive, "index.json"], environment: [:])
        let second = await E2E.run(["/bin/tar", "-xOf", output + "/" + rebuilt, "index.json"], environment: [:])
        #expect(!first.stdout.isEmpty)
        #expect(first.stdout == second.stdout, "the manifest digests differ: the build is not reproducible")
        // The layer the second build printed is a blob of the first archive.
        let layer = run.stdout.split(separator: "\n").first { $0.hasPrefix("image: layer") }?.split(separator: " ").first { $0.hasPrefix("sha256:") }
        let blobs = await E2E.run(["/bin/tar", "-tf", archive], environment: [:])
        #expect(layer != nil && blobs.stdout.contains("blobs/sha256/\(layer.map { String($0.dropFirst(7)) } ?? "-")"), "\(run)")
    }

    // MARK: - The CronJob, run in the image

    /// Installs with `arguments`, `--run-now`, and waits for the Job run in `image`; returns whether it completed
    /// and what the container printed.
    static func runCronJob(_ sandbox: Sandbox, image: JobImage, _ arguments: [String]) async throws -> (completed: Bool?, log: String) {
        let runner = sandbox.startJobRunner(image: image)
        defer { runner.stop() }
        let install = await E2E.plugin(sandbox, ["install-cronjob", "-n", "apim", "--if-expires-within", "40d", "--run-now"] + arguments)
        #expect(install.status == 0, "\(install)")
        let jobName = try #require(
            install.stdout.split(separator: "\n").last { $0.hasPrefix("job.batch/") }?.split(separator: " ").first?.dropFirst("job.batch/".count))
        let completed = await CronJobRunEndToEndTests.waitForJob(sandbox, String(jobName))
        let log = runner.allRuns.map { "\($0.job): exit \($0.status.map(String.init) ?? "-")\n\($0.stdout)\($0.stderr)" }.joined(separator: "\n")
        return (completed, log)
    }

    @Test func theCronJobRotatesInTheImageWithWorkloadIdentity() async throws {
        let image = try Self.image()
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        sandbox.addFederatedCredential(namespace: "apim", serviceAccount: "apimtoken-demo", clientID: sandbox.azure.clientID)
        let since = Date()
        let (completed, log) = try await Self.runCronJob(sandbox, image: image, ["--client-id", sandbox.azure.clientID])
        #expect(completed == true, "\(log)")
        #expect(log.contains("expires"), "\(log)")
        await RotateEndToEndTests.verifyRotated(sandbox, key: .primary, since: since)
        let principals = Set(
            sandbox.requestLog.filter { $0.server == .kubernetes && $0.method == "PATCH" && $0.path.hasSuffix("/secrets/demo-token") }.compactMap(\.principal))
        #expect(principals == ["system:serviceaccount:apim:apimtoken-demo"])
        #expect(!log.contains(sandbox.azure.clientSecret))
    }

    @Test func theCronJobRotatesInTheImageWithAServicePrincipalFromItsSecret() async throws {
        let image = try Self.image()
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let values = ["AZURE_CLIENT_ID": sandbox.azure.clientID, "AZURE_CLIENT_SECRET": sandbox.azure.clientSecret, "AZURE_TENANT_ID": sandbox.azure.tenantID]
        try sandbox.put([
            "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "rotator-sp", "namespace": "apim"], "type": "Opaque",
            "data": .object(values.mapValues { .string(Data($0.utf8).base64EncodedString()) }),
        ])
        let since = Date()
        let (completed, log) = try await Self.runCronJob(sandbox, image: image, ["--identity", "service-principal", "--sp-secret", "rotator-sp"])
        #expect(completed == true, "\(log)")
        await RotateEndToEndTests.verifyRotated(sandbox, key: .primary, since: since)
        let cronJob = sandbox.object(apiVersion: "batch/v1", kind: "CronJob", namespace: "apim", name: "apimtoken-demo")
        let env = cronJob?[path: ["spec", "jobTemplate", "spec", "template", "spec", "containers"]]?.arrayValue?.first?["env"]?.arrayValue ?? []
        #expect(env.contains { $0["name"]?.stringValue == "LOGIN_METHOD" && $0["value"]?.stringValue == "sp" }, "the CronJob logs in with -l sp")
        #expect(!log.contains(sandbox.azure.clientSecret))
    }

    /// The same through the sandbox's command line, as a person would: `apimtoken-sandbox up --job-image`, then
    /// `install-cronjob --run-now` with a service principal whose Secret install-cronjob creates from the environment.
    @Test func upWithAJobImageRunsTheRunNowJobInTheImage() async throws {
        _ = try Self.image()
        let archive = try #require(ProcessInfo.processInfo.environment[Self.archiveVariable])
        let binary = try #require(E2E.binary)
        let sandboxCommand = URL(fileURLWithPath: binary).deletingLastPathComponent().appendingPathComponent("apimtoken-sandbox").path
        try #require(FileManager.default.isExecutableFile(atPath: sandboxCommand), "apimtoken-sandbox is not built: swift build --product apimtoken-sandbox")
        let dir = E2E.freshDirectory("image-up")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let base = ["PATH": "/usr/bin:/bin", "HOME": E2E.freshDirectory("home")]
        let up = await E2E.run(
            [sandboxCommand, "up", "--dir", dir, "--job-image", archive, "--pod-start", "0.2", "--rollout-step", "0.1"], environment: base, timeout: 120)
        defer {
            // Never leave a daemon behind.
            if let text = try? String(contentsOfFile: "\(dir)/sandbox.pid", encoding: .utf8),
                let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                kill(pid, SIGTERM)
            }
        }
        try #require(up.status == 0, "\(up)")

        var environment = base
        for line in try String(contentsOfFile: "\(dir)/env", encoding: .utf8).split(separator: "\n") where line.hasPrefix("export ") {
            let assignment = line.dropFirst("export ".count)
            guard let eq = assignment.firstIndex(of: "=") else { continue }
            environment[String(assignment[..<eq])] = String(assignment[assignment.index(after: eq)...]).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        }
        environment["NO_PROXY"] = "127.0.0.1,localhost"
        let install = await E2E.run(
            [binary, "install-cronjob", "-n", "apim", "--identity", "service-principal", "--if-expires-within", "40d", "--run-now"], environment: environment)
        #expect(install.status == 0, "\(install)")
        let job = try #require(
            install.stdout.split(separator: "\n").last { $0.hasPrefix("job.batch/") }?.split(separator: " ").first?.dropFirst("job.batch/".count))
        let log = "\(dir)/pods/apim-\(job).log"
        let deadline = Date().addingTimeInterval(90)
        while !FileManager.default.fileExists(atPath: log) && Date() < deadline { try await Task.sleep(nanoseconds: 200_000_000) }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? "(no log at \(log))"
        #expect(output.hasPrefix("exit 0\n"), "\(output)")
        #expect(output.contains("Token for gateway demo (primary key) expires"), "\(output)")
        let status = await E2E.run([binary, "status", "demo", "-n", "apim", "-o", "json"], environment: environment)
        let token = (status.json["gateways"] as? [[String: Any]])?.first?["token"] as? [String: Any]
        #expect(token?["state"] as? String == "valid", "\(status)")
        if let secret = environment["AZURE_CLIENT_SECRET"] { #expect(!(install.stdout + install.stderr + output).contains(secret)) }
        let down = await E2E.run([sandboxCommand, "down", "--dir", dir], environment: base)
        #expect(down.status == 0, "\(down)")
    }

    // MARK: - What must fail here, not in a cluster

    /// A copy of the image's root with `remove` (paths in the root) deleted.
    static func damaged(_ image: JobImage, removing remove: [String]) throws -> JobImage {
        let copy = URL(fileURLWithPath: E2E.freshDirectory("image-damaged")).appendingPathComponent("rootfs")
        let cp = Process()
        cp.executableURL = URL(fileURLWithPath: "/bin/cp")
        cp.arguments = ["-a", image.root.path, copy.path]
        try cp.run()
        cp.waitUntilExit()
        guard cp.terminationStatus == 0 else { throw E2EError("cp -a \(image.root.path) failed") }
        for path in remove { try FileManager.default.removeItem(at: copy.appendingPathComponent(path)) }
        return image.withRoot(copy)
    }

    @Test(arguments: [
        ("the CA bundle", ["etc/ssl/certs/ca-certificates.crt"], "CA bundle"),
        ("libcurl", ["usr/lib/x86_64-linux-gnu/libcurl.so.4"], "libcurl.so.4"),
    ])
    func anImageWithoutItFailsTheJob(_ what: String, _ remove: [String], _ message: String) async throws {
        let image = try Self.damaged(try Self.image(), removing: remove)
        defer { try? FileManager.default.removeItem(at: image.root.deletingLastPathComponent()) }
        let sandbox = try await E2E.sandbox()
        defer { Task { await sandbox.shutdown() } }
        sandbox.addFederatedCredential(namespace: "apim", serviceAccount: "apimtoken-demo", clientID: sandbox.azure.clientID)
        let (completed, log) = try await Self.runCronJob(sandbox, image: image, ["--client-id", sandbox.azure.clientID])
        #expect(completed == false, "an image without \(what) must fail: \(log)")
        #expect(log.contains(message), "\(log)")
        #expect(E2E.generateTokenCalls(sandbox) == 0)
    }
}
