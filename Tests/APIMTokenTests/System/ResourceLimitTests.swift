import Foundation
import Testing

@testable import APIMToken

/// The caps that keep a run inside the CronJob's 128 MiB: a child's output and an HTTP response body.
@Suite struct ResourceLimitTests {
    @Test func aChildThatPrintsMoreThanOneMebibyteIsKilledWithAClearError() async throws {
        let runner = POSIXProcessRunner()
        let request = ProcessRequest(
            executable: "/usr/bin/head", arguments: ["-c", "3000000", "/dev/zero"], environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(20))
        let error = await #expect(throws: ProcessRunnerError.self) { try await runner.run(request) }
        #expect(error == .outputTooLarge("/usr/bin/head", limit: 1 << 20))
        #expect(error?.description == "\"/usr/bin/head\" printed more than 1 MiB and was killed")
        #expect(runner.children.running.isEmpty)
        // Just under the cap is fine.
        let small = try await runner.run(
            ProcessRequest(
                executable: "/usr/bin/head", arguments: ["-c", "1000000", "/dev/zero"], environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(20)))
        #expect(small.standardOutput.count == 1_000_000)
    }

    @Test func aRunningChildsGroupIsRegisteredUntilItIsReapedAndCanBeEnded() async throws {
        let runner = POSIXProcessRunner()
        let request = ProcessRequest(executable: "/bin/sleep", arguments: ["60"], environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(90))
        async let finished = runner.run(request)
        // However slowly a loaded machine spawns it, the child's group shows up, and a signal's clean-up ends it.
        let deadline = ContinuousClock.now + .seconds(50)
        while runner.children.running.isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(!runner.children.running.isEmpty)
        runner.children.terminateAll()
        let result = try await finished
        #expect(result.exitStatus == 128 + SIGTERM)
        #expect(runner.children.running.isEmpty)
    }

    @Test func responsesAreCappedAtThirtyTwoMebibytesByDefault() {
        let configuration = CurlTransport.Configuration(tls: TLSMaterial(), environment: Environment([:]))
        #expect(configuration.maximumResponseBytes == 32 << 20)
    }
}
