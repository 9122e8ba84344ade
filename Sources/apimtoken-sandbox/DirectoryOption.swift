import ArgumentParser
import Foundation

/// `--dir`, shared by every subcommand.
struct DirectoryOption: ParsableArguments {
    /// The directory as given.
    @Option(name: .customLong("dir"), help: "The sandbox directory (kubeconfig, env, CA, logs).")
    var path: String = FileManager.default.temporaryDirectory.appendingPathComponent("apimtoken-sandbox-\(getuid())").path

    /// The directory as a URL, made absolute.
    var url: URL { URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL }

    /// The pid file.
    var pidFile: URL { url.appendingPathComponent("sandbox.pid") }

    /// The pid of a running sandbox in this directory, if any.
    func runningPID() -> pid_t? {
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
            pid > 0, kill(pid, 0) == 0
        else { return nil }
        return pid
    }
}
