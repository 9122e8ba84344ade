import APIMTokenSandbox
import Foundation
import Testing

/// The plugin links FoundationEssentials, never full Foundation: Foundation brings ICU (half the binary, and part of
/// the start-up and memory cost). Checked on the built binary itself, so an import anywhere in a linked target, or a
/// dependency that starts importing Foundation, fails here.
@Suite struct FootprintEndToEndTests {
    @Test func theBinaryLinksNeitherFoundationNorICU() async throws {
        let binary = try #require(E2E.binary)
        let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]

        // Shared libraries it asks for (a dynamic-stdlib build names libFoundation.so and lib_FoundationICU.so).
        let dynamic = await E2E.run(["/usr/bin/env", "readelf", "-d", "-W", binary], environment: environment)
        #expect(dynamic.status == 0, "\(dynamic)")
        let needed = dynamic.stdout.split(separator: "\n").filter { $0.contains("(NEEDED)") }
        #expect(!needed.isEmpty, "readelf printed no NEEDED entries: \(dynamic)")
        #expect(
            needed.contains { $0.contains("libFoundationEssentials") } || !needed.contains { $0.contains("libswiftCore") },
            "a dynamic build links FoundationEssentials: \(needed)")
        for line in needed {
            #expect(!line.contains("[libFoundation.so") && !line.contains("ICU") && !line.contains("libicu"), "links \(line)")
        }

        // Symbols it defines or uses (a static-stdlib build carries Foundation's and ICU's own code).
        let symbols = await E2E.run(["/usr/bin/env", "nm", "--format=just-symbols", binary], environment: environment, timeout: 300)
        #expect(symbols.status == 0, "nm failed: \(symbols.stderr.prefix(500))")
        let lines = symbols.stdout.split(separator: "\n")
        #expect(lines.count > 1000, "nm listed too few symbols to judge (\(lines.count))")
        // `$s10Foundation` is the mangled prefix of every symbol of the module named Foundation (FoundationEssentials
        // is `$s20FoundationEssentials`); ICU brings its data (`icudt76_dat`) and its C API (`ucol_…`, `ucal_…`).
        let foundation = lines.filter { $0.hasPrefix("$s10Foundation") }
        let icu = lines.filter { $0.hasPrefix("icudt") || $0.hasPrefix("ucol_") || $0.hasPrefix("ucal_") }
        #expect(foundation.isEmpty, "Foundation symbols: \(foundation.prefix(5))")
        #expect(icu.isEmpty, "ICU symbols: \(icu.prefix(5))")
    }

    /// Connections are reused within a run: `status -A` over 40 gateways makes one GET per Secret (and ConfigMap)
    /// with at most 8 in flight, over a handful of kept-alive connections rather than one connection per request.
    @Test func statusReusesItsConnections() async throws {
        let sandbox = try await Sandbox.start(
            SandboxOptions(
                scenario: .many, gateways: 40, namespaces: 10, controller: ControllerOptions(podStartDelay: 0.2, stepInterval: 0.1)))
        defer { Task { await sandbox.shutdown() } }
        let before = sandbox.requestLog.count
        let run = await E2E.plugin(sandbox, ["status", "-A", "-o", "json"], timeout: 120)
        #expect([0, 8, 9].contains(run.status), "\(run)")
        let requests = sandbox.requestLog.dropFirst(before).filter { $0.server == .kubernetes }
        let connections = Set(requests.compactMap(\.connection))
        #expect(requests.count >= 44, "4 lists and a GET per Secret: \(requests.count) requests")
        #expect(!connections.isEmpty && connections.count <= 9, "\(requests.count) requests over \(connections.count) connections")
    }
}
