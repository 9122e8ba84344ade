import ArgumentParser
import Foundation

/// `down`: stops the sandbox running in a directory.
struct Down: AsyncParsableCommand {
    /// Help text.
    static let configuration = CommandConfiguration(abstract: "Stop the sandbox running in DIR.")

    @OptionGroup var dir: DirectoryOption

    /// Sends SIGTERM, waits up to 10 s, then SIGKILL.
    func run() async throws {
        guard let pid = dir.runningPID() else {
            print("no sandbox is running in \(dir.url.path)")
            return
        }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while kill(pid, 0) == 0, Date() < deadline { try await Task.sleep(nanoseconds: 100_000_000) }
        if kill(pid, 0) == 0 {
            kill(pid, SIGKILL)
            try? await Task.sleep(nanoseconds: 200_000_000)
        }
        for name in ["ready", "sandbox.pid", "admin.json"] { try? FileManager.default.removeItem(at: dir.url.appendingPathComponent(name)) }
        print("apimtoken-sandbox stopped (pid \(pid)).")
    }
}
