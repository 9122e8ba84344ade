import APIMToken
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// stdout for results, stderr for progress; colour and live lines only on a TTY.
final class Terminal: @unchecked Sendable {
    /// Whether stderr is a terminal (live progress lines).
    let stderrIsTTY: Bool
    /// Whether stdout is a terminal.
    let stdoutIsTTY: Bool
    /// Whether stdin is a terminal (confirmation prompts).
    let stdinIsTTY: Bool
    /// Whether colour is used on stdout.
    let color: Bool
    private let lock = Lock()
    private var liveLine = false

    init(noColor: Bool, environment: Environment) {
        stderrIsTTY = isatty(STDERR_FILENO) == 1
        stdoutIsTTY = isatty(STDOUT_FILENO) == 1
        stdinIsTTY = isatty(STDIN_FILENO) == 1
        color = stdoutIsTTY && !noColor && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }

    /// Writes a result line to stdout.
    func out(_ text: String) {
        lock.withLock {
            clearLiveLine()
            StandardStream.output.write((text + "\n"))
        }
    }

    /// Writes a progress or diagnostic line to stderr.
    func err(_ text: String) {
        lock.withLock {
            clearLiveLine()
            StandardStream.error.write((text + "\n"))
        }
    }

    /// A progress line that rewrites itself on a TTY and prints plainly otherwise.
    func live(_ text: String) {
        lock.withLock {
            if stderrIsTTY {
                StandardStream.error.write(("\r\u{1B}[2K" + text))
                liveLine = true
            } else {
                StandardStream.error.write((text + "\n"))
            }
        }
    }

    /// Ends a live line so the next output starts on its own line.
    func endLive() { lock.withLock { clearLiveLine() } }

    private func clearLiveLine() {
        if liveLine {
            StandardStream.error.write("\n")
            liveLine = false
        }
    }

    /// `text` in `code` (ANSI SGR) when colour is on.
    func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    /// Asks a yes/no question on the terminal; false when stdin is not a terminal.
    func confirm(_ question: String) -> Bool {
        guard stdinIsTTY else { return false }
        err(question + " [y/N] ")
        guard let answer = readLine() else { return false }
        return ["y", "yes"].contains(answer.trimmingWhitespace().lowercased())
    }
}
